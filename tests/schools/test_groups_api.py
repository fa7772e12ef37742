import pytest

from apps.core.models import Event
from apps.schools.models import Group, GroupMembership
from apps.schools.services.groups import group_create, group_member_add
from tests.factories import (
    AccessCodePoolFactory,
    GroupCategoryFactory,
    GroupFactory,
    MemberFactory,
    SignupFieldOptionFactory,
)

pytestmark = pytest.mark.django_db


def test_create_group_matches_seed_shape(api_client, school):
    # given
    option = SignupFieldOptionFactory(school=school)

    # when
    response = api_client.post(
        "/api/v1/groups",
        {
            "name": "Cool People",
            "discount_percent": 10,
            "sign_up_field_rule": {
                "enforce": True,
                "require_match_all": False,
                "options": [{"id": option.id}],
            },
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Cool People",
        "user_count": 0,
        "discount_percent": 10,
        "group_category_id": None,
        "sign_up_field_rule": {
            "enforce": True,
            "require_match_all": False,
            "options": [{"id": option.id}],
        },
    }
    assert body["id"].startswith("grp_")


@pytest.mark.parametrize("spelling", ["enforce", "enforced"])
def test_sign_up_field_rule_takes_both_skilljar_spellings_of_enforce(api_client, school, spelling):
    # given Skilljar's example says "enforce", its prose "enforced"
    option = SignupFieldOptionFactory(school=school)

    # when
    response = api_client.post(
        "/api/v1/groups",
        {
            "name": "Cool People",
            "sign_up_field_rule": {spelling: True, "options": [{"id": option.id}]},
        },
        format="json",
    )

    # then the rule is enforced either way, and read back as "enforce"
    assert response.status_code == 201, response.content
    assert response.json()["sign_up_field_rule"]["enforce"] is True
    assert Group.objects.get(id=response.json()["id"]).rule_enforce is True


def test_sign_up_field_rule_with_enforce_and_enforced_disagreeing_is_400(api_client):
    # when
    response = api_client.post(
        "/api/v1/groups",
        {"name": "G", "sign_up_field_rule": {"enforce": True, "enforced": False}},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "sign_up_field_rule.enforced" in response.json()["errors"]


def test_create_group_with_a_misspelt_rule_key_names_it(api_client):
    # when
    response = api_client.post(
        "/api/v1/groups",
        {"name": "G", "sign_up_field_rule": {"enforcing": True}, "discount": 10},
        format="json",
    )

    # then nothing is created in silence without the setting the client meant
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"sign_up_field_rule.enforcing", "discount"}
    assert body["code"] == "unknown_field"
    assert not Group.objects.exists()


def test_create_group_refuses_read_only_keys_an_update_would_ignore(api_client, school):
    # when a create carries the id and count of the read shape
    created = api_client.post(
        "/api/v1/groups", {"name": "G", "id": "grp_x", "user_count": 3}, format="json"
    )
    group = GroupFactory(school=school)
    updated = api_client.patch(
        f"/api/v1/groups/{group.id}", {"id": "grp_x", "user_count": 3, "name": "H"}, format="json"
    )

    # then a create refuses them, an update (PUT/PATCH send back what GET gave) ignores them
    assert created.status_code == 400
    assert set(created.json()["errors"]) == {"id", "user_count"}
    assert updated.status_code == 200
    assert updated.json()["id"] == group.id
    assert updated.json()["name"] == "H"


def test_create_group_with_duplicate_name_is_409(api_client, school):
    # given
    group_create(school=school, name="Cool People")

    # when
    response = api_client.post("/api/v1/groups", {"name": "Cool People"}, format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "group_name_taken"
    assert Group.objects.filter(school=school).count() == 1


def test_same_group_name_in_other_school_is_fine(api_client, other_school):
    # given
    group_create(school=other_school, name="Cool People")

    # when
    response = api_client.post("/api/v1/groups", {"name": "Cool People"}, format="json")

    # then
    assert response.status_code == 201


@pytest.mark.parametrize("percent", [-1, 101, "lots"])
def test_create_group_with_bad_discount_is_400(api_client, percent):
    # when
    response = api_client.post(
        "/api/v1/groups", {"name": "G", "discount_percent": percent}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "discount_percent" in response.json()["errors"]
    assert not Group.objects.exists()


def test_create_group_with_other_school_category_does_not_exist(api_client, other_school):
    # given
    theirs = GroupCategoryFactory(school=other_school)

    # when
    response = api_client.post(
        "/api/v1/groups", {"name": "G", "group_category_id": theirs.id}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["group_category_id"][0]


def test_create_group_with_unknown_option_names_it(api_client):
    # when
    response = api_client.post(
        "/api/v1/groups",
        {"name": "G", "sign_up_field_rule": {"options": [{"id": "sfo_nope"}]}},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "sfo_nope" in response.json()["detail"]


def test_list_groups_filters_by_exact_name(api_client, school):
    # given
    group_create(school=school, name="Alpha")
    group_create(school=school, name="Alphabet")

    # when
    response = api_client.get("/api/v1/groups?name=Alpha")

    # then
    assert [g["name"] for g in response.json()["results"]] == ["Alpha"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_group_is_partial(api_client, school, method):
    # given
    group = group_create(school=school, name="G", discount_percent=5)
    category = GroupCategoryFactory(school=school)

    # when
    response = getattr(api_client, method)(
        f"/api/v1/groups/{group.id}", {"group_category_id": category.id}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["group_category_id"] == category.id
    assert response.json()["discount_percent"] == 5
    assert response.json()["name"] == "G"


def test_rename_group_onto_existing_name_is_409(api_client, school):
    # given
    group_create(school=school, name="A")
    group = group_create(school=school, name="B")

    # when
    response = api_client.patch(f"/api/v1/groups/{group.id}", {"name": "A"}, format="json")

    # then
    assert response.status_code == 409


def test_group_of_other_school_is_404(api_client, other_school):
    # given
    theirs = GroupFactory(school=other_school)

    # when
    response = api_client.patch(f"/api/v1/groups/{theirs.id}", {"name": "Mine"}, format="json")

    # then
    assert response.status_code == 404


def test_groups_need_an_api_key(user_client):
    # when
    response = user_client.get("/api/v1/groups")

    # then
    assert response.status_code == 403


@pytest.mark.parametrize("page_size", [1, 1000])
def test_list_groups_runs_constant_queries(
    api_client, school, django_assert_num_queries, page_size
):
    # given
    option = SignupFieldOptionFactory(school=school)
    for index in range(3):
        group = group_create(school=school, name=f"G{index}", rule_options=[option])
        group_member_add(group=group, member=MemberFactory(school=school))
    api_client.get("/api/v1/groups")

    # when / then: key, count, page with user_count, rule options
    with django_assert_num_queries(4):
        response = api_client.get(f"/api/v1/groups?page_size={page_size}")
    assert response.json()["results"][0]["user_count"] == 1


# --- group users -----------------------------------------------------------------------------


def test_add_user_to_group_and_list(api_client, school):
    # given
    group = group_create(school=school, name="G")
    member = MemberFactory(school=school, user__first_name="Joe", user__last_name="User")

    # when
    created = api_client.post(
        f"/api/v1/groups/{group.id}/users", {"user": {"id": member.user_id}}, format="json"
    )
    listed = api_client.get(f"/api/v1/groups/{group.id}/users")

    # then
    assert created.status_code == 201
    assert listed.json()["results"] == [
        {
            "user": {
                "id": member.user_id,
                "email": member.user.email,
                "first_name": "Joe",
                "last_name": "User",
            },
            "created_at": created.json()["created_at"],
        }
    ]
    event = Event.objects.get(type="group.member.added")
    assert event.payload["group"] == {"id": group.id, "name": "G"}
    assert event.payload["user"]["id"] == member.user_id


def test_add_user_twice_keeps_one_membership(api_client, school):
    # given
    group = group_create(school=school, name="G")
    member = MemberFactory(school=school)
    group_member_add(group=group, member=member)

    # when
    response = api_client.post(
        f"/api/v1/groups/{group.id}/users", {"user": {"id": member.user_id}}, format="json"
    )

    # then
    assert response.status_code == 200
    assert GroupMembership.objects.filter(group=group).count() == 1
    assert Event.objects.filter(type="group.member.added").count() == 1


def test_add_other_school_user_to_group_does_not_exist(api_client, school, other_school):
    # given
    group = group_create(school=school, name="G")
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.post(
        f"/api/v1/groups/{group.id}/users", {"user": {"id": theirs.user_id}}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["user.id"][0]


def test_remove_user_from_group(api_client, school):
    # given
    group = group_create(school=school, name="G")
    member = MemberFactory(school=school)
    group_member_add(group=group, member=member)

    # when
    response = api_client.delete(f"/api/v1/groups/{group.id}/users/{member.user_id}")

    # then
    assert response.status_code == 204
    assert not GroupMembership.objects.exists()
    assert Event.objects.filter(type="group.member.removed").count() == 1


def test_remove_user_not_in_group_is_404(api_client, school):
    # given
    group = group_create(school=school, name="G")
    member = MemberFactory(school=school)

    # when
    response = api_client.delete(f"/api/v1/groups/{group.id}/users/{member.user_id}")

    # then
    assert response.status_code == 404


def test_users_of_other_school_group_is_404(api_client, other_school):
    # given
    theirs = GroupFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/groups/{theirs.id}/users")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page_size", [1, 1000])
def test_list_group_users_runs_constant_queries(
    api_client, school, django_assert_num_queries, page_size
):
    # given
    group = group_create(school=school, name="G")
    for _ in range(3):
        group_member_add(group=group, member=MemberFactory(school=school))
    api_client.get(f"/api/v1/groups/{group.id}/users")

    # when / then: key, group, count, page
    with django_assert_num_queries(4):
        api_client.get(f"/api/v1/groups/{group.id}/users?page_size={page_size}")


# --- group access code pools -----------------------------------------------------------------


def test_add_pool_to_group_and_list(api_client, school):
    # given
    group = group_create(school=school, name="G")
    pool = AccessCodePoolFactory(school=school)

    # when
    created = api_client.post(
        f"/api/v1/groups/{group.id}/access-code-pools",
        {"access_code_pool": {"id": pool.id}},
        format="json",
    )
    listed = api_client.get(f"/api/v1/groups/{group.id}/access-code-pools")

    # then
    assert created.status_code == 201
    assert created.json()["id"] == pool.id
    assert [p["id"] for p in listed.json()["results"]] == [pool.id]
    assert listed.json()["results"][0]["code_count"] == 0


def test_add_other_school_pool_to_group_does_not_exist(api_client, school, other_school):
    # given
    group = group_create(school=school, name="G")
    theirs = AccessCodePoolFactory(school=other_school)

    # when
    response = api_client.post(
        f"/api/v1/groups/{group.id}/access-code-pools",
        {"access_code_pool": {"id": theirs.id}},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["access_code_pool.id"][0]


# --- categories and a user's groups ----------------------------------------------------------


def test_create_and_list_group_categories(api_client, other_school):
    # given
    GroupCategoryFactory(school=other_school, name="Theirs")

    # when
    created = api_client.post("/api/v1/group-categories", {"name": "Regions"}, format="json")
    duplicate = api_client.post("/api/v1/group-categories", {"name": "Regions"}, format="json")
    listed = api_client.get("/api/v1/group-categories")

    # then
    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert listed.json()["results"] == [{"id": created.json()["id"], "name": "Regions"}]


def test_list_groups_of_a_user(api_client, school):
    # given
    member = MemberFactory(school=school)
    group = group_create(school=school, name="Mine")
    group_create(school=school, name="Not mine")
    group_member_add(group=group, member=member)

    # when
    response = api_client.get(f"/api/v1/users/{member.user_id}/groups")

    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(g["id"], g["name"], g["user_count"]) for g in results] == [(group.id, "Mine", 1)]


def test_groups_of_other_school_user_is_404(api_client, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/users/{theirs.user_id}/groups")

    # then
    assert response.status_code == 404


def test_user_token_sees_its_own_groups(user_client, learner, school):
    # given
    group = group_create(school=school, name="Mine")
    group_member_add(group=group, member=learner)

    # when
    response = user_client.get(f"/api/v1/users/{learner.user_id}/groups")

    # then
    assert response.status_code == 200
    assert [g["id"] for g in response.json()["results"]] == [group.id]


def test_user_token_asking_for_another_users_groups_is_404(user_client, school):
    # given
    someone = MemberFactory(school=school)
    group_member_add(group=group_create(school=school, name="Theirs"), member=someone)

    # when
    response = user_client.get(f"/api/v1/users/{someone.user_id}/groups")

    # then
    assert response.status_code == 404


def test_a_reference_object_with_unknown_keys_is_400(api_client):
    # when
    response = api_client.post(
        "/api/v1/groups",
        {"name": "Team", "sign_up_field_rule": {"options": [{"id": "sfo_x", "extra": 1}]}},
        format="json",
    )

    # then: refused, not trimmed to its id in silence
    assert response.status_code == 400
    assert "extra" in str(response.json()["errors"])
