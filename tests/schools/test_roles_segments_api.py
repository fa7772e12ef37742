import pytest

from apps.core.errors import InvalidInput
from apps.schools.models import Member, UserRole
from apps.schools.selectors.schools import staff_school_for
from apps.schools.services.domains import domain_user_add
from apps.schools.services.groups import group_create, group_member_add
from apps.schools.services.people import user_update
from apps.schools.services.roles import member_set_user_role, user_role_create
from apps.schools.services.segments import segment_create
from apps.schools.services.signup_fields import signup_values_set
from tests.factories import (
    DomainFactory,
    MemberFactory,
    SegmentFactory,
    SignupFieldFactory,
    UserRoleFactory,
)

pytestmark = pytest.mark.django_db


# --- roles -----------------------------------------------------------------------------------


def test_user_roles_list_builtins_and_custom_by_title(api_client, school):
    # given
    user_role_create(school=school, title="Teaching Assistant", role=Member.Role.INSTRUCTOR)

    # when
    response = api_client.get("/api/v1/user-roles")

    # then
    assert response.status_code == 200
    titles = [r["title"] for r in response.json()["results"]]
    assert titles == ["Admin", "Instructor", "Learner", "Reporter", "Teaching Assistant"]
    assistant = response.json()["results"][-1]
    assert assistant["role"] == "instructor"
    assert assistant["builtin"] is False


def test_get_user_role_defaults_to_builtin_of_level(api_client, learner):
    # when
    response = api_client.get(f"/api/v1/users/{learner.user_id}/user-role")

    # then
    assert response.status_code == 200
    assert response.json()["title"] == "Learner"
    assert response.json()["builtin"] is True


def test_put_custom_role_sets_access_level(api_client, school, learner):
    # given
    assistant = user_role_create(school=school, title="TA", role=Member.Role.INSTRUCTOR)

    # when
    response = api_client.put(
        f"/api/v1/users/{learner.user_id}/user-role", {"role_id": assistant.id}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["id"] == assistant.id
    learner.refresh_from_db()
    assert learner.role == Member.Role.INSTRUCTOR
    users = api_client.get(f"/api/v1/users/{learner.user_id}").json()
    assert users["role"] == "instructor"


def test_put_admin_role_makes_staff_school(api_client, school):
    # given
    member = MemberFactory(school=school)
    admin_role = UserRole.objects.filter(school=school, builtin=True, role="admin")
    api_client.get("/api/v1/user-roles")

    # when
    api_client.put(
        f"/api/v1/users/{member.user_id}/user-role",
        {"role_id": admin_role.get().id},
        format="json",
    )

    # then
    assert staff_school_for(member.user) == school


def test_users_api_role_change_drops_custom_role(school, learner):
    # given
    assistant = user_role_create(school=school, title="TA", role=Member.Role.INSTRUCTOR)
    member_set_user_role(member=learner, user_role=assistant)

    # when
    user_update(member=learner, role=Member.Role.REPORTER)

    # then
    learner.refresh_from_db()
    assert learner.user_role is None
    assert learner.role == Member.Role.REPORTER


def test_put_other_school_role_does_not_exist(api_client, learner, other_school):
    # given
    theirs = UserRoleFactory(school=other_school)

    # when
    response = api_client.put(
        f"/api/v1/users/{learner.user_id}/user-role", {"role_id": theirs.id}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["role_id"][0]


def test_user_role_of_other_school_user_is_404(api_client, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/users/{theirs.user_id}/user-role")

    # then
    assert response.status_code == 404


def test_duplicate_role_title_is_409(school):
    # when / then
    with pytest.raises(Exception, match="already exists"):
        user_role_create(school=school, title="learner")


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_user_roles_runs_constant_queries(api_client, django_assert_num_queries, page_size):
    # given
    api_client.get("/api/v1/user-roles")

    # when / then: key, count, page (a pure read: the built-ins exist with the school)
    with django_assert_num_queries(3):
        api_client.get(f"/api/v1/user-roles?page_size={page_size}")


# --- segments --------------------------------------------------------------------------------


def test_list_segments(api_client, school, other_school):
    # given
    segment = segment_create(school=school, name="VIPs", filters={"tags": ["vip"]})
    SegmentFactory(school=other_school)

    # when
    response = api_client.get("/api/v1/users/segments")

    # then
    assert response.status_code == 200
    assert [(s["id"], s["filters"]) for s in response.json()["results"]] == [
        (segment.id, {"tags": ["vip"]})
    ]


def test_by_segment_evaluates_every_filter_in_sql(api_client, school, django_assert_num_queries):
    # given
    domain = DomainFactory(school=school)
    field = SignupFieldFactory(school=school, domain=domain)
    group = group_create(school=school, name="Cohort")
    match = MemberFactory(school=school, tags=["vip", "beta"], country="DE")
    wrong_tag = MemberFactory(school=school, tags=["beta"], country="DE")
    suspended = MemberFactory(school=school, tags=["vip"], country="DE", status="suspended")
    MemberFactory(school=school, tags=["vip"], country="FR")
    for member in (match, wrong_tag, suspended):
        domain_user, _ = domain_user_add(domain=domain, member=member)
        group_member_add(group=group, member=member)
        signup_values_set(domain_user=domain_user, values={field.id: "yes"})
    segment = segment_create(
        school=school,
        name="German VIPs",
        filters={
            "tags": ["vip", "beta"],
            "tags_match": "all",
            "roles": ["learner"],
            "status": "active",
            "groups": [group.id],
            "domains": [domain.name],
            "signup_values": [{"field_id": field.id, "value": "yes"}],
            "countries": ["DE"],
        },
    )
    api_client.get(f"/api/v1/users/by-segment?segment_id={segment.id}")

    # when: key, segment, count, page, tags
    with django_assert_num_queries(5):
        response = api_client.get(f"/api/v1/users/by-segment?segment_id={segment.id}")

    # then
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["results"]] == [match.user_id]


def test_by_segment_with_user_roles(api_client, school):
    # given
    assistant = user_role_create(school=school, title="TA", role=Member.Role.INSTRUCTOR)
    custom = MemberFactory(school=school)
    member_set_user_role(member=custom, user_role=assistant)
    plain = MemberFactory(school=school, role=Member.Role.INSTRUCTOR)
    builtin = UserRole.objects.get(school=school, builtin=True, role="instructor")
    segment = segment_create(school=school, name="S", filters={"user_roles": [builtin.id]})

    # when
    response = api_client.get(f"/api/v1/users/by-segment?segment_id={segment.id}")

    # then
    assert [u["id"] for u in response.json()["results"]] == [plain.user_id]


def test_by_segment_without_id_is_400(api_client):
    # when
    response = api_client.get("/api/v1/users/by-segment")

    # then
    assert response.status_code == 400
    assert "segment_id" in response.json()["errors"]


def test_by_segment_of_other_school_is_404(api_client, other_school):
    # given
    theirs = SegmentFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/users/by-segment?segment_id={theirs.id}")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "filters",
    [
        {"colour": ["red"]},
        {"roles": ["wizard"]},
        {"tags": "vip"},
        {"signup_values": [{"field_id": 1}]},
        {"created_after": "yesterday"},
        [],
    ],
)
def test_segment_with_bad_filters_is_refused(school, filters):
    # when / then
    with pytest.raises(InvalidInput) as raised:
        segment_create(school=school, name="Bad", filters=filters)
    assert raised.value.code == "segment_filter_invalid"
