"""The migration that splits people shared by several schools into one account per school."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.core.ids import new_id
from tests.migrations import at_migration, migrate

BEFORE = [("schools", "0006_admin_names"), ("core", "0003_job_scope")]
AFTER = [("schools", "0009_account_constraints")]


@pytest.fixture
def old_apps(transactional_db):
    yield from at_migration(BEFORE)


def _school(apps, slug: str):
    School = apps.get_model("schools", "School")
    return School.objects.create(id=new_id("sch"), name=slug.title(), slug=slug)


def test_a_person_of_two_schools_becomes_two_accounts(old_apps):
    # given: one person in two schools, with rows of each school naming them
    User = old_apps.get_model("schools", "User")
    Member = old_apps.get_model("schools", "Member")
    Domain = old_apps.get_model("schools", "Domain")
    DomainUser = old_apps.get_model("schools", "DomainUser")
    alpha, beta = _school(old_apps, "alpha"), _school(old_apps, "beta")
    password = make_password("shared passphrase")
    person = User.objects.create(
        id=new_id("usr"), email="Ada@Example.com", first_name="Ada", password=password
    )
    loner = User.objects.create(id=new_id("usr"), email="bob@example.com", password=password)
    operator = User.objects.create(
        id=new_id("usr"), email="root@example.com", is_superuser=True, is_staff=True
    )
    first = Member.objects.create(id=new_id("mem"), school=alpha, user=person, company="A")
    Member.objects.filter(pk=first.pk).update(created_at=timezone.now().replace(year=2020))
    second = Member.objects.create(id=new_id("mem"), school=beta, user=person, company="B")
    Member.objects.create(id=new_id("mem"), school=alpha, user=loner)
    on_operator = Member.objects.create(id=new_id("mem"), school=beta, user=operator)
    beta_domain = Domain.objects.create(id=new_id("dom"), school=beta, name="learn.beta.test")
    access = DomainUser.objects.create(
        id=new_id("dus"), school=beta, domain=beta_domain, member=second, user=person
    )

    # when
    apps = migrate(AFTER)

    # then: the oldest membership keeps the id; the other school gets its own account
    User = apps.get_model("schools", "User")
    Member = apps.get_model("schools", "Member")
    DomainUser = apps.get_model("schools", "DomainUser")
    kept = User.objects.get(pk=person.pk)
    assert (kept.school_id, kept.email_key) == (alpha.pk, "ada@example.com")
    split = User.objects.get(school_id=beta.pk, email_key="ada@example.com")
    assert split.pk != person.pk
    assert (split.first_name, split.password, split.email) == ("Ada", password, "Ada@Example.com")
    assert Member.objects.get(pk=second.pk).user_id == split.pk
    assert Member.objects.get(pk=first.pk).user_id == person.pk
    assert DomainUser.objects.get(pk=access.pk).user_id == split.pk
    # and everyone else: one school's account, or an operator of no school
    assert User.objects.get(pk=loner.pk).school_id == alpha.pk
    assert User.objects.get(pk=operator.pk).school_id is None
    operators_member = Member.objects.get(pk=on_operator.pk)
    assert operators_member.user_id != operator.pk
    assert User.objects.get(pk=operators_member.user_id).school_id == beta.pk
    assert not User.objects.get(pk=operators_member.user_id).is_superuser


def test_look_alike_accounts_of_one_school_keep_their_data_with_distinct_keys(old_apps):
    # given: two spellings of one mailbox that used to become two people in one school
    User = old_apps.get_model("schools", "User")
    Member = old_apps.get_model("schools", "Member")
    alpha = _school(old_apps, "alpha")
    plain = User.objects.create(id=new_id("usr"), email="ada@example.com")
    wide = User.objects.create(id=new_id("usr"), email="ada@ｅｘａｍｐｌｅ.com")
    for user in (plain, wide):
        Member.objects.create(id=new_id("mem"), school=alpha, user=user)

    # when
    apps = migrate(AFTER)

    # then
    User = apps.get_model("schools", "User")
    assert User.objects.get(pk=plain.pk).email_key == "ada@example.com"
    assert User.objects.get(pk=wide.pk).email_key == f"ada@example.com~{wide.pk}"
