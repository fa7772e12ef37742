"""Admin saves of roles, segments, group categories, group rules and signup fields go
through the services, so they get the API's checks and events."""

from unittest import mock

import pytest

from apps.core.models import Event
from apps.schools.models import (
    GroupCategory,
    GroupMembership,
    Member,
    Segment,
    SignupFieldOption,
    UserRole,
)
from apps.schools.services import groups, roles, segments, signup_fields
from apps.schools.services.domains import domain_user_add
from apps.schools.services.signup_fields import signup_values_set
from tests.conftest import admin_inline_data
from tests.factories import (
    DomainFactory,
    GroupCategoryFactory,
    GroupFactory,
    MemberFactory,
    SegmentFactory,
    SignupFieldFactory,
    SignupFieldOptionFactory,
    UserRoleFactory,
)

pytestmark = pytest.mark.django_db


def _answered(school, option: SignupFieldOption) -> Member:
    """A member of ``school`` whose answer to the option's field is the option."""
    member = MemberFactory(school=school)
    domain_user, _ = domain_user_add(domain=option.field.domain, member=member)
    signup_values_set(domain_user=domain_user, values={option.field: option.label})
    return member


# --- user roles ------------------------------------------------------------------------------


def test_adding_a_role_in_the_admin_goes_through_user_role_create(staff_client, school):
    # when
    with mock.patch.object(roles, "user_role_create", wraps=roles.user_role_create) as service:
        response = staff_client.post(
            "/admin/schools/userrole/add/",
            {"title": "Teaching Assistant", "description": "", "role": "instructor"},
        )

    # then
    assert response.status_code == 302, response.content[:3000]
    service.assert_called_once()
    role = UserRole.objects.get(school=school, title="Teaching Assistant")
    assert (role.role, role.builtin) == ("instructor", False)


def test_changing_a_roles_level_in_the_admin_moves_its_members(staff_client, school):
    # given
    role = UserRoleFactory(school=school, title="Assistant", role="instructor")
    member = MemberFactory(school=school, role="instructor", user_role=role)

    # when
    response = staff_client.post(
        f"/admin/schools/userrole/{role.pk}/change/",
        {"title": "Assistant", "description": "", "role": "reporter"},
    )

    # then
    assert response.status_code == 302, response.content[:3000]
    member.refresh_from_db()
    assert (member.role, member.user_role_id) == ("reporter", role.pk)
    updated = Event.objects.get(type="user.updated")
    assert updated.payload["id"] == member.user_id
    assert updated.payload["role"] == "reporter"


def test_user_role_update_refuses_a_builtins_title(school):
    # given
    builtin = UserRole.objects.get(school=school, builtin=True, role="learner")

    # when
    with pytest.raises(Exception, match="built-in") as raised:
        roles.user_role_update(user_role=builtin, title="Student")

    # then
    assert raised.value.code == "user_role_builtin"
    builtin.refresh_from_db()
    assert builtin.title == "Learner"


def test_user_role_update_refuses_a_taken_title(school):
    # given
    role = UserRoleFactory(school=school, title="Assistant")

    # when
    with pytest.raises(Exception, match="already exists") as raised:
        roles.user_role_update(user_role=role, title="learner")

    # then
    assert raised.value.code == "user_role_title_taken"


# --- segments and group categories -----------------------------------------------------------


def test_segment_admin_saves_through_the_segment_services(staff_client, school):
    # given
    existing = SegmentFactory(school=school, name="Old")

    # when
    with (
        mock.patch.object(segments, "segment_create", wraps=segments.segment_create) as create,
        mock.patch.object(segments, "segment_update", wraps=segments.segment_update) as update,
    ):
        added = staff_client.post(
            "/admin/schools/segment/add/",
            {"name": "Sales", "description": "", "filters": '{"companies": ["Acme"]}'},
        )
        changed = staff_client.post(
            f"/admin/schools/segment/{existing.pk}/change/",
            {"name": "Renamed", "description": "", "filters": '{"roles": ["learner"]}'},
        )

    # then
    assert (added.status_code, changed.status_code) == (302, 302)
    create.assert_called_once()
    update.assert_called_once()
    assert Segment.objects.get(school=school, name="Sales").filters == {"companies": ["Acme"]}
    assert Segment.objects.filter(pk=existing.pk, name="Renamed").exists()


def test_group_category_admin_saves_through_the_services(staff_client, school):
    # given
    existing = GroupCategoryFactory(school=school, name="Regions")

    # when
    with (
        mock.patch.object(groups, "group_category_create", wraps=groups.group_category_create) as c,
        mock.patch.object(groups, "group_category_update", wraps=groups.group_category_update) as u,
    ):
        added = staff_client.post("/admin/schools/groupcategory/add/", {"name": "Teams"})
        changed = staff_client.post(
            f"/admin/schools/groupcategory/{existing.pk}/change/", {"name": "Areas"}
        )

    # then
    assert (added.status_code, changed.status_code) == (302, 302)
    c.assert_called_once()
    u.assert_called_once()
    names = set(GroupCategory.objects.filter(school=school).values_list("name", flat=True))
    assert names == {"Teams", "Areas"}


def test_group_category_update_refuses_a_taken_name(school):
    # given
    GroupCategoryFactory(school=school, name="Regions")
    category = GroupCategoryFactory(school=school, name="Teams")

    # when
    with pytest.raises(Exception, match="already exists") as raised:
        groups.group_category_update(category=category, name="Regions")

    # then
    assert raised.value.code == "group_category_name_taken"


# --- group rules -----------------------------------------------------------------------------


def test_admin_rule_change_applies_the_rule_to_matching_members(staff_client, school):
    # given
    option = SignupFieldOptionFactory(school=school, label="Red")
    other = SignupFieldOptionFactory(school=school, field=option.field, label="Blue")
    red = _answered(school, option)
    _answered(school, other)
    group = GroupFactory(school=school, name="Reds", rule_enforce=True)
    data = {
        "name": "Reds",
        "discount_percent": "0",
        "rule_enforce": "on",
        "rule_options": [option.pk],
        **admin_inline_data("memberships", []),
        **admin_inline_data("pool_links", []),
    }

    # when
    response = staff_client.post(f"/admin/schools/group/{group.pk}/change/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    assert list(group.rule_options.all()) == [option]
    members = GroupMembership.objects.filter(group=group).values_list("member_id", flat=True)
    assert list(members) == [red.pk]
    assert Event.objects.filter(type="group.member.added").count() == 1


def test_admin_cannot_put_another_schools_option_in_a_rule(staff_client, school, other_school):
    # given
    theirs = SignupFieldOptionFactory(school=other_school)
    group = GroupFactory(school=school, name="Reds")
    data = {
        "name": "Reds",
        "discount_percent": "0",
        "rule_options": [theirs.pk],
        **admin_inline_data("memberships", []),
        **admin_inline_data("pool_links", []),
    }

    # when
    staff_client.post(f"/admin/schools/group/{group.pk}/change/", data)

    # then
    assert not group.rule_options.exists()


@pytest.mark.parametrize("match_all", [False, True])
def test_api_rule_change_applies_the_rule(api_client, school, match_all):
    # given
    option = SignupFieldOptionFactory(school=school, label="Red")
    size = SignupFieldOptionFactory(school=school, label="Large")
    both = _answered(school, option)
    only_red = _answered(school, option)
    group = GroupFactory(school=school, name="Reds")
    domain_user, _ = domain_user_add(domain=size.field.domain, member=both)
    signup_values_set(domain_user=domain_user, values={size.field: "Large"})

    # when
    response = api_client.patch(
        f"/api/v1/groups/{group.pk}",
        {
            "sign_up_field_rule": {
                "enforce": True,
                "require_match_all": match_all,
                "options": [{"id": option.id}, {"id": size.id}],
            }
        },
        format="json",
    )

    # then
    assert response.status_code == 200
    expected = {both.pk} if match_all else {both.pk, only_red.pk}
    assert set(group.memberships.values_list("member_id", flat=True)) == expected


def test_unenforced_rule_change_adds_nobody(school):
    # given
    option = SignupFieldOptionFactory(school=school, label="Red")
    _answered(school, option)
    group = GroupFactory(school=school, name="Reds")

    # when
    groups.group_update(group=group, rule_options=[option])

    # then
    assert not group.memberships.exists()


# --- signup fields ---------------------------------------------------------------------------


def test_signup_field_admin_saves_field_and_options_through_the_services(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    data = {
        "domain": domain.pk,
        "label": "Team",
        "type": "select",
        "position": "0",
        **admin_inline_data(
            "options", [{"label": "Red", "position": "0"}, {"label": "red", "position": "1"}]
        ),
    }

    # when
    with (
        mock.patch.object(
            signup_fields, "signup_field_create", wraps=signup_fields.signup_field_create
        ) as field_create,
        mock.patch.object(
            signup_fields,
            "signup_field_option_create",
            wraps=signup_fields.signup_field_option_create,
        ) as option_create,
    ):
        response = staff_client.post("/admin/schools/signupfield/add/", data, follow=True)

    # then: "red" clashes with "Red" (labels ignore case), so the service refuses it: the
    # whole save is undone and the form is shown again with the refusal
    field_create.assert_called_once()
    assert option_create.call_count == 2
    assert response.status_code == 200
    assert not domain.signup_fields.exists()
    assert b"already has the option" in response.content


def test_renaming_an_option_in_the_admin_reapplies_group_rules(staff_client, school):
    # given: the rule lists "Red"; the member answered "Blue"
    field = SignupFieldFactory(school=school, type="select", label="Team")
    red = SignupFieldOptionFactory(school=school, field=field, label="Red")
    blue = SignupFieldOptionFactory(school=school, field=field, label="Blue")
    member = _answered(school, blue)
    group = GroupFactory(school=school, name="Team", rule_enforce=True)
    group.rule_options.set([red])
    data = {
        "domain": field.domain_id,
        "label": "Team",
        "type": "select",
        "position": "0",
        **admin_inline_data(
            "options",
            [
                {"id": red.pk, "field": field.pk, "label": "Blue", "position": "0"},
                {
                    "id": blue.pk,
                    "field": field.pk,
                    "label": "Blue",
                    "position": "1",
                    "DELETE": "on",
                },
            ],
            initial=2,
        ),
    }

    # when: "Blue" is dropped and "Red" renamed to "Blue"
    response = staff_client.post(f"/admin/schools/signupfield/{field.pk}/change/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    assert list(field.options.values_list("label", flat=True)) == ["Blue"]
    assert list(group.memberships.values_list("member_id", flat=True)) == [member.pk]
