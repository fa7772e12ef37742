"""Names, titles and labels are unique regardless of case in the database, not only in Python,
and the one conflict helper turns exactly their constraint's violation into a 409."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from apps.core.errors import Conflict, conflict_on_duplicate
from apps.schools.models import (
    Group,
    GroupCategory,
    GroupMembership,
    School,
    Segment,
    SignupField,
    SignupFieldOption,
    UserRole,
)
from apps.schools.services.groups import group_category_create, group_create
from apps.schools.services.roles import user_role_create
from apps.schools.services.segments import segment_create
from apps.schools.services.signup_fields import signup_field_create, signup_field_option_create
from tests.conftest import make_client
from tests.factories import (
    DomainFactory,
    GroupFactory,
    MemberFactory,
    SchoolFactory,
    SignupFieldFactory,
)


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

    def group():
        school = SchoolFactory()
        return (
            lambda text: group_create(school=school, name=text),
            lambda: Group.objects.filter(school=school),
        )

    def category():
        school = SchoolFactory()
        return (
            lambda text: group_category_create(school=school, name=text),
            lambda: GroupCategory.objects.filter(school=school),
        )

    def segment():
        school = SchoolFactory()
        return (
            lambda text: segment_create(school=school, name=text, filters={}),
            lambda: Segment.objects.filter(school=school),
        )

    return [
        pytest.param(group, id="group-name"),
        pytest.param(category, id="group-category-name"),
        pytest.param(segment, id="segment-name"),
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


@pytest.mark.django_db
def test_the_same_name_in_another_school_is_another_group(school, other_school):
    # given
    group_create(school=school, name="Team")

    # when
    theirs = group_create(school=other_school, name="team")

    # then: the constraint is per school
    assert theirs.school == other_school


@pytest.mark.django_db
def test_the_conflict_helper_lets_other_integrity_errors_through(school):
    # given: a block guarded for group names that breaks another unique constraint
    group, member = GroupFactory(school=school), MemberFactory(school=school)
    GroupMembership.objects.create(school=school, group=group, member=member, user=member.user)

    # when
    with (
        pytest.raises(IntegrityError) as raised,
        conflict_on_duplicate("schools_group_name_ci", Conflict("A group has this name.")),
    ):
        GroupMembership.objects.create(school=school, group=group, member=member, user=member.user)

    # then: the membership's violation is not reported as a name conflict
    assert not isinstance(raised.value, Conflict)
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_the_conflict_helper_refuses_a_constraint_no_model_declares():
    # when / then: a misspelt name fails where it is written, not on the first clash
    with pytest.raises(LookupError), conflict_on_duplicate("schools_group_name", Conflict()):
        pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_team_and_team_posted_at_once_give_one_201_and_one_409(api_key):
    # given: two requests naming one group in two letter cases, released together
    secret = api_key[1]
    barrier = threading.Barrier(2)
    responses = []

    def send(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(
                make_client(secret).post("/api/v1/groups", {"name": name}, format="json")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("Team", "team")]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one group; the other request is the envelope's 409 naming the field
    assert sorted(r.status_code for r in responses) == [201, 409]
    conflict = next(r.json() for r in responses if r.status_code == 409)
    assert conflict["code"] == "group_name_taken"
    assert "name" in conflict["errors"]
    assert Group.objects.filter(school=api_key[0].school).count() == 1


@pytest.mark.django_db
def test_the_conflict_helper_knows_a_unique_column_by_table_and_column(school):
    # given: slugs are unique through ``unique=True``, whose index the database names
    taken = Conflict("Another school has this slug.")

    # when
    with (
        pytest.raises(Conflict) as raised,
        conflict_on_duplicate("schools_school.slug", taken),
    ):
        School.objects.create(name="Copy", slug=school.slug)

    # then
    assert raised.value is taken
