"""Titles and labels are unique regardless of case in the database, not only in Python."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from apps.core.errors import Conflict
from apps.schools.models import SignupField, SignupFieldOption, UserRole
from apps.schools.services.roles import user_role_create
from apps.schools.services.signup_fields import signup_field_create, signup_field_option_create
from tests.factories import DomainFactory, SchoolFactory, SignupFieldFactory


def _cases() -> list:
    """(name, build) where build() gives (write(text), rows()) on fresh parents."""

    def role():
        school = SchoolFactory()
        return (
            lambda text: user_role_create(school=school, title=text),
            lambda: UserRole.objects.filter(school=school, builtin=False),
        )

    def signup_field():
        domain = DomainFactory()
        return (
            lambda text: signup_field_create(domain=domain, label=text),
            lambda: SignupField.objects.filter(domain=domain),
        )

    def option():
        field = SignupFieldFactory(type=SignupField.Type.SELECT)
        return (
            lambda text: signup_field_option_create(signup_field=field, label=text),
            lambda: SignupFieldOption.objects.filter(field=field),
        )

    return [
        pytest.param(role, id="role-title"),
        pytest.param(signup_field, id="signup-field-label"),
        pytest.param(option, id="option-label"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("build", _cases())
def test_case_variant_of_a_taken_text_is_409(build):
    # given
    write, rows = build()
    write("Team")

    # when
    with pytest.raises(Conflict) as raised:
        write("tEAM")

    # then
    assert raised.value.status_code == 409
    assert rows().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("build", _cases())
def test_case_variants_written_at_once_give_one_row_and_a_409(build):
    # given: "Team" is written but not yet committed when another request writes "team"
    write, rows = build()
    first_written = threading.Event()
    outcomes: dict[str, object] = {}

    def attempt(text: str, first: bool) -> None:
        try:
            if first:
                with transaction.atomic():
                    write(text)
                    first_written.set()
                    # Hold the transaction open while the second write runs into it.
                    time.sleep(0.5)
            else:
                first_written.wait(timeout=10)
                write(text)
            outcomes[text] = "written"
        except Exception as exc:  # the loser's error is the assertion's subject
            outcomes[text] = exc
        finally:
            first_written.set()
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=("Team", True)),
        threading.Thread(target=attempt, args=("team", False)),
    ]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    assert connection.vendor == "postgresql"
    assert outcomes["Team"] == "written"
    assert isinstance(outcomes["team"], Conflict), outcomes["team"]
    assert outcomes["team"].status_code == 409
    assert rows().count() == 1
