"""Admin for domains, domain users, access codes, groups, roles and segments."""

import pytest
from django.core import mail

from apps.core.models import Event
from apps.schools.models import (
    AccessCode,
    AccessCodePool,
    DomainUser,
    Group,
    GroupMembership,
    Invite,
    Segment,
    UserRole,
)
from apps.schools.services.domains import domain_user_add
from tests.conftest import admin_inline_data
from tests.factories import (
    DomainFactory,
    DomainUserFactory,
    GroupFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def test_domain_page_shows_its_usersadmin_inline_data(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    domain_user = DomainUserFactory(school=school, domain=domain)

    # when
    response = staff_client.get(f"/admin/schools/domain/{domain.pk}/change/")

    # then
    assert response.status_code == 200
    assert domain_user.member.user.email.encode() in response.content


def test_adding_domain_user_inline_goes_through_the_service(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    member = MemberFactory(school=school)
    data = {
        "name": domain.name,
        "catalog_title": "",
        "access": "PUBLIC",
        "access_code_message_html": "",
        "marketing_message": "",
        **admin_inline_data("domain_users", [{"member": member.pk, "active": "on"}]),
    }

    # when
    response = staff_client.post(f"/admin/schools/domain/{domain.pk}/change/", data)

    # then
    assert response.status_code == 302, response.content[:2000]
    assert DomainUser.objects.filter(domain=domain, member=member, user=member.user).exists()
    assert Event.objects.filter(type="domain.enrollment.created").count() == 1


def test_inline_cannot_pick_other_school_member(staff_client, school, other_school):
    # given
    domain = DomainFactory(school=school)
    theirs = MemberFactory(school=other_school)
    data = {
        "name": domain.name,
        "access": "PUBLIC",
        **admin_inline_data("domain_users", [{"member": theirs.pk, "active": "on"}]),
    }

    # when
    response = staff_client.post(f"/admin/schools/domain/{domain.pk}/change/", data)

    # then
    assert response.status_code == 200
    assert not DomainUser.objects.exists()


def test_export_domain_users_as_csv(staff_client, school):
    # given
    domain = DomainFactory(school=school, name="learn.alpha.test")
    member = MemberFactory(school=school, user__email="ann@example.com", user__first_name="Ann")
    domain_user_add(domain=domain, member=member)

    # when
    response = staff_client.post(
        "/admin/schools/domain/",
        {"action": "export_users_csv", "_selected_action": [domain.pk]},
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("domain,user_id,email")
    assert lines[1].startswith(f"learn.alpha.test,{member.user_id},ann@example.com,Ann,")


def test_send_invite_action_emails_selected_users(
    staff_client, school, django_capture_on_commit_callbacks
):
    # given
    domain_user = DomainUserFactory(school=school)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/schools/domainuser/",
            {"action": "send_invite", "_selected_action": [domain_user.pk]},
        )

    # then
    assert response.status_code == 302
    assert Invite.objects.filter(domain_user=domain_user).count() == 1
    assert mail.outbox[0].to == [domain_user.member.user.email]


def test_staff_sees_only_their_domain_users(staff_client, school, other_school):
    # given
    mine = DomainUserFactory(school=school)
    DomainUserFactory(school=other_school)

    # when
    response = staff_client.get("/admin/schools/domainuser/")

    # then
    assert [row.pk for row in response.context["cl"].result_list] == [mine.pk]


def test_group_members_added_with_autocomplete_emit_event(staff_client, school):
    # given
    group = GroupFactory(school=school, name="Cohort")
    member = MemberFactory(school=school)
    data = {
        "name": "Cohort",
        "discount_percent": "10",
        **admin_inline_data("memberships", [{"member": member.pk}]),
        **admin_inline_data("pool_links", []),
    }

    # when
    response = staff_client.post(f"/admin/schools/group/{group.pk}/change/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    membership = GroupMembership.objects.get(group=group)
    assert membership.member == member
    assert membership.user == member.user
    assert Event.objects.filter(type="group.member.added").count() == 1


def test_member_autocomplete_stays_in_school(staff_client, school, other_school):
    # given
    MemberFactory(school=school, user__email="mine@example.com")
    MemberFactory(school=other_school, user__email="theirs@example.com")

    # when
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "term": "example.com",
            "app_label": "schools",
            "model_name": "groupmembership",
            "field_name": "member",
        },
    )

    # then
    assert response.status_code == 200
    texts = str(response.json()["results"])
    assert "mine@example.com" in texts
    assert "theirs@example.com" not in texts


def test_duplicate_group_name_is_a_form_error(staff_client, school):
    # given
    GroupFactory(school=school, name="Cohort")
    data = {
        "name": "cohort",
        "discount_percent": "0",
        **admin_inline_data("memberships", []),
        **admin_inline_data("pool_links", []),
    }

    # when
    response = staff_client.post("/admin/schools/group/add/", data)

    # then
    assert response.status_code == 200
    assert Group.objects.filter(school=school).count() == 1


def test_pool_with_inline_codes_is_saved_through_services(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    data = {
        "domain": domain.pk,
        "name": "Partners",
        "active": "on",
        **admin_inline_data(
            "codes", [{"code": "PARTNER1", "active": "on", "duration_unit": "MONTHS"}]
        ),
    }

    # when
    response = staff_client.post("/admin/schools/accesscodepool/add/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    pool = AccessCodePool.objects.get(name="Partners")
    assert pool.channel == "admin"
    assert AccessCode.objects.get(access_code_pool=pool).code == "PARTNER1"


def test_builtin_roles_appear_and_cannot_be_deleted(staff_client, school):
    # when
    response = staff_client.get("/admin/schools/userrole/")
    builtin = UserRole.objects.get(school=school, role="learner", builtin=True)
    delete = staff_client.get(f"/admin/schools/userrole/{builtin.pk}/delete/")

    # then
    assert response.status_code == 200
    assert UserRole.objects.filter(school=school, builtin=True).count() == 4
    assert delete.status_code == 403


def test_segment_form_refuses_bad_filters(staff_client, school):
    # when
    response = staff_client.post(
        "/admin/schools/segment/add/",
        {"name": "Bad", "description": "", "filters": '{"colour": ["red"]}'},
    )

    # then
    assert response.status_code == 200
    assert b"unknown key" in response.content
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "domain",
        "domainuser",
        "accesscodepool",
        "accesscode",
        "signupfield",
        "group",
        "groupcategory",
        "invite",
        "userrole",
        "segment",
    ],
)
def test_admin_lists_open_for_staff(staff_client, path):
    # when
    response = staff_client.get(f"/admin/schools/{path}/")

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["domainuser", "accesscodepool", "signupfield", "group", "segment"]
)
def test_admin_add_forms_open_for_staff(staff_client, path):
    # when
    response = staff_client.get(f"/admin/schools/{path}/add/")

    # then
    assert response.status_code == 200
