import threading

import pytest
from django.db import connection, connections

from apps.schools.models import SignupFieldValue
from apps.schools.services.signup_fields import signup_values_set
from tests.factories import DomainUserFactory, SignupFieldFactory


@pytest.mark.django_db
def test_values_set_returns_only_new_or_changed_values():
    # given
    domain_user = DomainUserFactory()
    first = SignupFieldFactory(school=domain_user.school, domain=domain_user.domain)
    second = SignupFieldFactory(school=domain_user.school, domain=domain_user.domain)
    signup_values_set(domain_user=domain_user, values={first.id: "a", second.id: "b"})

    # when
    changed = signup_values_set(domain_user=domain_user, values={first.id: "a", second.id: "c"})

    # then
    assert [(row.field_id, row.value) for row in changed] == [(second.id, "c")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_answers_of_one_person_are_both_saved_once():
    # given: two requests saving the same person's first answer at the same moment
    domain_user = DomainUserFactory()
    field = SignupFieldFactory(school=domain_user.school, domain=domain_user.domain)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def save(value: str) -> None:
        try:
            barrier.wait(timeout=10)
            signup_values_set(domain_user=domain_user, values={field.id: value})
        except Exception as exc:  # any failure (an IntegrityError before the fix) is reported
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(value,)) for value in ("one", "two")]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    assert connection.vendor == "postgresql"
    assert errors == []
    assert SignupFieldValue.objects.filter(field=field).count() == 1
