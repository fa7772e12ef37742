"""Deleting in the admin goes through services: what happens to holders, and the events."""

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from apps.core.admin import SchoolScopedAdmin
from apps.core.errors import Conflict
from apps.core.models import Event, Job
from apps.schools.models import (
    AccessCode,
    Group,
    GroupCategory,
    GroupMembership,
    Member,
    SignupField,
    SignupFieldValue,
    UserRole,
)
from apps.schools.selectors.roles import member_user_role
from apps.schools.services.access_codes import code_create, code_redeem, pool_create
from apps.schools.services.roles import member_set_user_role, user_role_delete
from apps.schools.services.signup_fields import signup_values_set
from apps.webhooks.models import Delivery, Webhook
from tests.factories import (
    DeliveryFactory,
    DomainFactory,
    DomainUserFactory,
    GroupCategoryFactory,
    GroupFactory,
    GroupMembershipFactory,
    MemberFactory,
    SignupFieldFactory,
    UserRoleFactory,
    WebhookFactory,
)

pytestmark = pytest.mark.django_db


def _bulk_delete(client: Client, url: str, pks: list[str]):
    return client.post(url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})


def test_deleting_a_role_gives_holders_the_builtin_role_of_their_level(staff_client, school):
    # given
    mentor = UserRoleFactory(school=school, title="Mentor", role=Member.Role.INSTRUCTOR)
    holders = [MemberFactory(school=school) for _ in range(2)]
    for member in holders:
        member_set_user_role(member=member, user_role=mentor)
    Event.objects.all().delete()

    # when
    response = staff_client.post(f"/admin/schools/userrole/{mentor.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not UserRole.objects.filter(pk=mentor.pk).exists()
    for member in holders:
        member.refresh_from_db()
        assert member.user_role_id is None
        assert member.role == Member.Role.INSTRUCTOR
    updated = Event.objects.filter(type="user.updated").values_list("payload__id", flat=True)
    assert sorted(updated) == sorted(member.user_id for member in holders)


def test_bulk_delete_of_roles_goes_through_the_service(staff_client, school):
    # given
    roles = UserRoleFactory.create_batch(2, school=school)
    holder = MemberFactory(school=school)
    member_set_user_role(member=holder, user_role=roles[0])

    # when
    response = _bulk_delete(staff_client, "/admin/schools/userrole/", [r.pk for r in roles])

    # then
    assert response.status_code == 302
    assert not UserRole.objects.filter(pk__in=[r.pk for r in roles]).exists()
    holder.refresh_from_db()
    assert holder.user_role_id is None
    assert member_user_role(member=holder).builtin


def test_builtin_role_cannot_be_deleted_by_the_service(school):
    # given
    builtin = UserRole.objects.get(school=school, builtin=True, role=Member.Role.LEARNER)

    # when
    with pytest.raises(Conflict) as raised:
        user_role_delete(user_role=builtin)

    # then
    assert raised.value.code == "user_role_builtin"
    assert UserRole.objects.filter(pk=builtin.pk).exists()


def test_deleting_a_category_leaves_its_groups_uncategorised(staff_client, school):
    # given
    category = GroupCategoryFactory(school=school)
    groups = GroupFactory.create_batch(2, school=school, category=category)

    # when
    response = _bulk_delete(staff_client, "/admin/schools/groupcategory/", [category.pk])

    # then
    assert response.status_code == 302
    assert not GroupCategory.objects.filter(pk=category.pk).exists()
    assert set(Group.objects.filter(category=None).values_list("pk", flat=True)) == {
        group.pk for group in groups
    }


def test_deleting_a_group_removes_its_members_with_events(staff_client, school):
    # given
    membership = GroupMembershipFactory(school=school)

    # when
    response = staff_client.post(
        f"/admin/schools/group/{membership.group_id}/delete/", {"post": "yes"}
    )

    # then
    assert response.status_code == 302
    assert not Group.objects.filter(pk=membership.group_id).exists()
    removed = Event.objects.get(type="group.member.removed")
    assert removed.payload["group"]["id"] == membership.group_id
    assert removed.payload["user"]["id"] == membership.member.user_id


def test_users_are_anonymized_not_deleted_in_the_admin(staff_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    delete_page = staff_client.get(f"/admin/schools/member/{member.pk}/delete/")
    changelist = staff_client.get("/admin/schools/member/")
    _bulk_delete(staff_client, "/admin/schools/member/", [member.pk])
    anonymized = staff_client.post(
        "/admin/schools/member/", {"action": "anonymize", "_selected_action": [member.pk]}
    )

    # then
    assert delete_page.status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()
    assert 'value="delete_selected"' not in changelist.content.decode()
    assert 'value="anonymize"' in changelist.content.decode()
    assert anonymized.status_code == 302
    member.refresh_from_db()
    assert member.anonymized_at is not None
    assert Event.objects.filter(type="user.anonymized", payload__id=member.user_id).exists()


def test_deleting_a_webhook_in_the_admin_is_a_job(
    staff_client, school, django_capture_on_commit_callbacks
):
    # given
    hook = WebhookFactory(school=school)
    DeliveryFactory.create_batch(3, school=school, webhook=hook)

    # when
    confirm = staff_client.get(f"/admin/webhooks/webhook/{hook.pk}/delete/")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/webhooks/webhook/{hook.pk}/delete/", {"post": "yes"})

    # then
    assert confirm.status_code == 200
    assert "Delivery:" not in confirm.content.decode()
    assert response.status_code == 302
    job = Job.objects.get(kind="webhooks.delete")
    assert job.status == Job.Status.SUCCEEDED
    assert not Webhook.objects.filter(pk=hook.pk).exists()
    assert not Delivery.objects.exists()


def test_every_admin_that_deletes_does_so_through_a_service():
    # given
    admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SchoolScopedAdmin)
    ]

    # when
    bypassing = [
        type(model_admin).__name__
        for model_admin in admins
        if type(model_admin).delete_model is not SchoolScopedAdmin.delete_model
        or type(model_admin).delete_queryset is not SchoolScopedAdmin.delete_queryset
    ]

    # then
    assert admins
    assert bypassing == []


@pytest.mark.parametrize("name", ["delete_model", "delete_queryset"])
def test_admin_overriding_django_delete_is_refused(name):
    # when / then
    with pytest.raises(ImproperlyConfigured, match=f"overrides {name}"):
        type("BypassingAdmin", (SchoolScopedAdmin,), {name: lambda self, request, obj: None})


def test_deleting_a_signup_field_removes_its_options_and_answers(staff_client, school):
    # given
    domain_user = DomainUserFactory(school=school)
    field = SignupFieldFactory(school=school, domain=domain_user.domain)
    signup_values_set(domain_user=domain_user, values={field: "Berlin"})

    # when
    response = staff_client.post(f"/admin/schools/signupfield/{field.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not SignupField.objects.filter(pk=field.pk).exists()
    assert not SignupFieldValue.objects.exists()


def test_deleting_a_pool_keeps_the_access_its_codes_gave(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    pool = pool_create(domain=domain, name="Partners")
    code = code_create(pool=pool, code="PARTNER1")
    member = MemberFactory(school=school)
    domain_user, _used = code_redeem(domain=domain, code="PARTNER1", member=member)
    Event.objects.all().delete()

    # when
    response = _bulk_delete(staff_client, "/admin/schools/accesscodepool/", [pool.pk])

    # then
    assert response.status_code == 302
    assert not AccessCode.objects.filter(pk=code.pk).exists()
    domain_user.refresh_from_db()
    assert domain_user.active is True
    assert domain_user.access_code_id is None
    updated = Event.objects.get(type="domain.enrollment.updated")
    assert updated.payload["user"]["id"] == member.user_id
    assert updated.payload["access_code"] is None


def test_deleting_a_category_keeps_its_groups_members_and_shows_the_groups_changed(
    staff_client, school
):
    # given
    category = GroupCategoryFactory(school=school)
    membership = GroupMembershipFactory(school=school, group__category=category)
    group = membership.group
    before = group.updated_at
    Event.objects.all().delete()

    # when
    response = staff_client.post(
        f"/admin/schools/groupcategory/{category.pk}/delete/", {"post": "yes"}
    )

    # then: the members stay in the uncategorised group, nobody is told they left, and
    # the group's change is visible to ``updated_since`` syncs
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.category_id is None
    assert group.updated_at > before
    assert GroupMembership.objects.filter(pk=membership.pk).exists()
    assert not Event.objects.filter(type="group.member.removed").exists()


def test_staff_cannot_delete_another_schools_role_or_category(staff_client, other_school):
    # given
    role = UserRoleFactory(school=other_school)
    category = GroupCategoryFactory(school=other_school)
    holder = MemberFactory(school=other_school)
    member_set_user_role(member=holder, user_role=role)

    # when
    _bulk_delete(staff_client, "/admin/schools/userrole/", [role.pk])
    staff_client.post(f"/admin/schools/groupcategory/{category.pk}/delete/", {"post": "yes"})

    # then
    assert UserRole.objects.filter(pk=role.pk).exists()
    assert GroupCategory.objects.filter(pk=category.pk).exists()
    holder.refresh_from_db()
    assert holder.user_role_id == role.pk
