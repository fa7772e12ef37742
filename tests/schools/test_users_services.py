"""The users services: accounts per school, identity rules, anonymizing, suspending, tokens."""

import threading

import pytest
from django.db import connection, transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from apps.core.errors import Conflict, InvalidInput
from apps.core.models import Event
from apps.schools.models import Member, Tag, User
from apps.schools.services.people import (
    member_set_tags,
    member_suspend,
    member_unsuspend,
    user_anonymize,
    user_create,
    user_tokens_revoke,
    user_update,
)
from apps.schools.services.schools import school_create
from apps.schools.tokens import tokens_issue
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_school_create_is_idempotent_and_renames():
    # given
    first, created = school_create(name="Alpha", slug="alpha")

    # when
    again, created_again = school_create(name="Alpha Academy", slug="alpha")

    # then
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.name == "Alpha Academy"


def test_user_create_makes_a_user_and_a_member_with_tags(school):
    # when
    member, created = user_create(
        school=school, email=" Ada@Example.TEST ", first_name="Ada", tags=["b", "a", " "]
    )

    # then
    assert created
    assert member.user.email == "Ada@example.test"
    assert not member.user.has_usable_password()
    assert sorted(member.tags.values_list("name", flat=True)) == ["a", "b"]
    assert Event.objects.get(type="user.created").payload["tags"] == ["a", "b"]


def test_user_create_matches_email_case_insensitively(school):
    # given
    first, _ = user_create(school=school, email="ada@example.test")

    # when
    again, created = user_create(school=school, email="ADA@EXAMPLE.TEST", first_name="X")

    # then
    assert not created
    assert again.pk == first.pk
    assert User.objects.count() == 1


def test_user_create_after_anonymizing_makes_a_new_account(school):
    # given
    member, _ = user_create(school=school, email="ada@example.test")
    user_anonymize(member=member)

    # when
    again, created = user_create(school=school, email="ada@example.test")

    # then
    assert created
    assert again.user_id != member.user_id


def test_user_create_refuses_too_much_metadata(school):
    # when / then
    with pytest.raises(InvalidInput) as caught:
        user_create(school=school, email="a@b.test", metadata={str(i): i for i in range(51)})
    assert caught.value.field == "metadata"
    assert not User.objects.exists()


def test_user_update_changes_identity_and_facts_of_a_single_school_user(school):
    # given
    member = MemberFactory(school=school)

    # when
    user_update(member=member, email="new@example.test", company="New", password="a new passphrase")

    # then
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.user.email == "new@example.test"
    assert member.company == "New"
    assert member.user.check_password("a new passphrase")


def test_user_update_refuses_a_taken_external_id(school):
    # given
    MemberFactory(school=school, external_id="crm-1")
    member = MemberFactory(school=school)

    # when / then
    with pytest.raises(Conflict) as caught:
        user_update(member=member, external_id="crm-1")
    assert caught.value.field == "external_id"


def test_same_external_id_is_allowed_in_another_school(school, other_school):
    # given
    MemberFactory(school=school, external_id="crm-1")

    # when
    member, created = user_create(school=other_school, email="a@b.test", external_id="crm-1")

    # then
    assert created
    assert member.external_id == "crm-1"


def test_member_set_tags_creates_missing_tags_once(school):
    # given
    member = MemberFactory(school=school, tags=["a"])

    # when
    member_set_tags(member=member, tags=["a", "b", "b"])

    # then
    assert sorted(member.tags.values_list("name", flat=True)) == ["a", "b"]
    assert Tag.objects.filter(school=school).count() == 2


def test_suspend_is_idempotent_and_emits_once(school):
    # given
    member = MemberFactory(school=school)

    # when
    member_suspend(member=member)
    member_suspend(member=member)

    # then
    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED
    assert member.suspended_at is not None
    assert Event.objects.filter(type="user.suspended").count() == 1


def test_unsuspend_clears_the_suspension(school):
    # given
    member = MemberFactory(school=school)
    member_suspend(member=member)

    # when
    member_unsuspend(member=member)

    # then
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert member.suspended_at is None


def test_anonymize_single_school_user_keeps_the_rows(school):
    # given
    member = MemberFactory(school=school, company="Acme", tags=["a"])

    # when
    anonymized = user_anonymize(member=member)

    # then
    user = User.objects.get(pk=member.user_id)
    assert user.email == f"anonymized-{user.id}@anonymized.invalid"
    assert user.anonymized_at is not None
    assert user.token_generation == 1
    assert Member.objects.filter(pk=member.pk).exists()
    assert anonymized.company == ""
    assert not anonymized.tags.exists()


def test_tokens_revoke_blacklists_refresh_tokens_and_bumps_the_generation(learner):
    # given
    tokens_issue(member=learner)
    tokens_issue(member=learner)

    # when
    user = user_tokens_revoke(user=learner.user)

    # then
    assert user.token_generation == 1
    assert BlacklistedToken.objects.filter(token__user=learner.user).count() == 2


def test_events_of_a_failed_service_call_are_rolled_back(school):
    # given
    def enroll_then_fail() -> None:
        with transaction.atomic():
            user_create(school=school, email="a@b.test")
            raise RuntimeError("the caller failed after the service")

    # when
    with pytest.raises(RuntimeError):
        enroll_then_fail()

    # then
    assert not Event.objects.exists()
    assert not User.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("schools", [1, 2], ids=["one-school", "two-schools"])
def test_concurrent_creates_of_one_email_make_one_account_per_school(schools):
    # given
    targets = [school_create(name=f"S{n}", slug=f"s{n}")[0] for n in range(schools)]
    workers = 8
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def create(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(user_create(school=targets[n % schools], email="race@example.test"))
        except Exception as exc:  # reported below: no worker may fail
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert errors == []
    for target in targets:
        assert User.objects.filter(school=target, email_key="race@example.test").count() == 1
    assert Member.objects.count() == schools
    assert sum(created for _member, created in results) == schools
    assert Event.objects.filter(type="user.created").count() == schools
