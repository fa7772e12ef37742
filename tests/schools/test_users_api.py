"""The users API: a school's view of its people (Skilljar users plus school facts)."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from freezegun import freeze_time

from apps.core.models import Event
from apps.core.renderers import JSONRenderer
from apps.schools.api.serializers import UserSerializer
from apps.schools.models import Member, Tag, User
from apps.schools.selectors.people import (
    member_get,
    member_list,
    member_rows,
    member_rows_with_tags,
)
from apps.schools.services.people import member_suspend, user_anonymize, user_create, user_payload
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

USER_FIELDS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "status",
    "external_id",
    "company",
    "department",
    "country",
    "tags",
    "metadata",
    "anonymized",
    "created_at",
    "updated_at",
}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- list, filters, search -------------------------------------------------------------------


def test_list_shows_the_school_users_with_every_field(api_client, school, other_school):
    # given
    mine = MemberFactory(school=school, tags=["b", "a"], metadata={"plan": "gold"})
    MemberFactory(school=other_school)

    # when
    response = api_client.get("/api/v1/users")

    # then
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    row = body["results"][0]
    assert set(row) == USER_FIELDS
    assert row["id"] == mine.user_id
    assert row["id"].startswith("usr_")
    assert row["email"] == mine.user.email
    assert row["tags"] == ["a", "b"]
    assert row["metadata"] == {"plan": "gold"}
    assert row["anonymized"] is False
    assert row["created_at"].endswith("Z")


def test_list_pages_with_next_and_previous_links(api_client, school):
    # given
    members = [MemberFactory(school=school) for _ in range(3)]

    # when
    first = api_client.get("/api/v1/users", {"page_size": 2})
    second = api_client.get(first.json()["next"])

    # then
    assert first.json()["count"] == 3
    assert ids(first) == [m.user_id for m in members[:2]]
    assert ids(second) == [members[2].user_id]
    assert second.json()["next"] is None
    assert "page_size=2" in second.json()["previous"]


@pytest.mark.parametrize(
    ("param", "value", "match"),
    [
        ("email", "ADA@EXAMPLE.TEST", True),
        ("first_name", "Ada", True),
        ("first_name", "ada", False),
        ("last_name", "Lovelace", True),
        ("external_id", "ext-1", True),
        ("company", "Analytical", True),
        ("department", "Maths", True),
        ("country", "GB", True),
        ("role", "instructor", True),
        ("status", "suspended", True),
        ("tag", "vip", True),
        ("tag", "nobody", False),
    ],
)
def test_list_filters(api_client, school, param, value, match):
    # given
    ada = MemberFactory(
        school=school,
        user=UserFactory(email="ada@example.test", first_name="Ada", last_name="Lovelace"),
        external_id="ext-1",
        company="Analytical",
        department="Maths",
        country="GB",
        role=Member.Role.INSTRUCTOR,
        status=Member.Status.SUSPENDED,
        tags=["vip"],
    )
    MemberFactory(school=school, tags=["other"])

    # when
    response = api_client.get("/api/v1/users", {param: value})

    # then
    assert ids(response) == ([ada.user_id] if match else [])


@pytest.mark.parametrize("term", ["lovelace", "ADA@", "Ada"])
def test_search_by_name_or_email(api_client, school, term):
    # given
    ada = MemberFactory(
        school=school,
        user=UserFactory(email="ada@example.test", first_name="Ada", last_name="Lovelace"),
    )
    MemberFactory(school=school, user=UserFactory(first_name="Bob", last_name="Builder"))

    # when
    response = api_client.get("/api/v1/users", {"search": term})

    # then
    assert ids(response) == [ada.user_id]


def test_list_query_count_is_constant(api_client, school, django_assert_num_queries):
    # given
    for _ in range(5):
        MemberFactory(school=school, tags=["a", "b"])
    api_client.get("/api/v1/users")

    # then: key, count, page with its tags (PostgreSQL), or the page's tags apart (SQLite)
    expected = 3 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(expected):
        api_client.get("/api/v1/users", {"page_size": 1})
    with django_assert_num_queries(expected):
        api_client.get("/api/v1/users", {"page_size": 5})


@pytest.fixture
def varied_members(school, other_school) -> list[Member]:
    """Members whose fields take every kind of value the user shape shows."""
    plain = MemberFactory(school=school, tags=["zeta", "Alpha", "mid", "beta"])
    bare = MemberFactory(
        school=school, tags=[], company="", country="", metadata={}, external_id=""
    )
    rich = MemberFactory(
        school=school,
        tags=["b"],
        metadata={"plan": "gold", "nested": {"n": [1, None, 2.5]}, "none": None},
        external_id="ext-1",
        department="Ops",
        role=Member.Role.ADMIN,
    )
    gone = MemberFactory(school=school, tags=["x", "a"])
    user_anonymize(member=gone)
    suspended = MemberFactory(school=school)
    member_suspend(member=suspended)
    # A time with no microseconds and one before the year 1000 (zero-padded in ISO 8601).
    Member.objects.filter(pk=bare.pk).update(
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated_at=datetime(999, 12, 31, 23, 59, 59, 7, tzinfo=UTC),
    )
    MemberFactory(school=other_school, tags=["theirs"])
    return [plain, bare, rich, gone, suspended]


def test_list_rows_are_exactly_the_user_payload(api_client, school, varied_members):
    # given: what the API shows for one user (the shape events carry too)
    def shown(user_id: str) -> dict:
        member = member_get(school=school, user_id=user_id)
        return json.loads(JSONRenderer().render(user_payload(member, tags=member.tag_list)))

    # when: the list, numbered, by cursor and as changes
    numbered = api_client.get("/api/v1/users", {"page_size": 2})
    second = api_client.get(numbered.json()["next"])
    cursor = api_client.get("/api/v1/users", {"cursor": "", "page_size": 3})
    cursor_next = api_client.get(cursor.json()["next"])
    changed = api_client.get("/api/v1/users", {"updated_since": "2000-01-01T00:00:00Z"})

    # then: every row is byte-for-byte the user payload of that user, tags in name order
    members = sorted(varied_members, key=lambda member: member.pk)
    for response in (numbered, second, cursor, cursor_next, changed):
        assert response.status_code == 200, response.content
        for row in response.json()["results"]:
            assert row == shown(row["id"])
    walked = [row["id"] for r in (cursor, cursor_next) for row in r.json()["results"]]
    assert walked == [member.user_id for member in members]
    assert ids(numbered) + ids(second) == walked[:4]
    assert len(changed.json()["results"]) == 4  # the bare one changed "in" the year 999
    by_id = {row["id"]: row for row in cursor.json()["results"] + cursor_next.json()["results"]}
    plain, bare, _rich, gone, _suspended = varied_members
    assert by_id[plain.user_id]["tags"] == [
        tag.name for tag in Tag.objects.filter(members=plain).order_by("name")
    ]
    assert by_id[bare.user_id]["tags"] == []
    assert by_id[bare.user_id]["updated_at"] == "0999-12-31T23:59:59.000007Z"
    assert by_id[bare.user_id]["created_at"] == "2026-01-02T03:04:05.000000Z"
    assert by_id[gone.user_id]["anonymized"] is True


def test_row_payload_matches_user_payload_for_the_same_rows(school, varied_members):
    # given
    queryset = Member.objects.filter(school=school).order_by("id")

    # when
    rows = member_rows_with_tags(list(member_rows(queryset)))
    members = list(member_list(queryset=queryset))

    # then
    assert [UserSerializer.row_payload(row) for row in rows] == [
        user_payload(member, tags=member.tag_list) for member in members
    ]


def test_updated_since_lists_changed_users_oldest_first(api_client, school):
    # given
    with freeze_time("2026-01-01T00:00:00Z"):
        first = MemberFactory(school=school)
        second = MemberFactory(school=school)
    with freeze_time("2026-01-05T00:00:00Z"):
        api_client.patch(f"/api/v1/users/{second.user_id}", {"company": "New"}, format="json")
    with freeze_time("2026-01-06T00:00:00Z"):
        api_client.patch(f"/api/v1/users/{first.user_id}", {"company": "New"}, format="json")

    # when
    response = api_client.get("/api/v1/users", {"updated_since": "2026-01-02T00:00:00Z"})

    # then
    assert ids(response) == [second.user_id, first.user_id]


# --- retrieve --------------------------------------------------------------------------------


def test_retrieve_a_user(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.get(f"/api/v1/users/{member.user_id}/")

    # then
    assert response.status_code == 200
    assert response.json()["id"] == member.user_id


def test_retrieve_other_school_user_is_404(api_client, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/users/{theirs.user_id}")

    # then
    assert response.status_code == 404
    assert theirs.user.email not in response.content.decode()


# --- create ----------------------------------------------------------------------------------


def test_create_a_new_user_is_201_and_emits_user_created(api_client, school):
    # given
    body = {
        "email": "New.Person@Example.test",
        "first_name": "New",
        "last_name": "Person",
        "role": "instructor",
        "external_id": "crm-7",
        "company": "Acme",
        "department": "R&D",
        "country": "DE",
        "metadata": {"plan": "gold"},
        "tags": ["b", "a", "b"],
        "password": "a long passphrase",
    }

    # when
    response = api_client.post("/api/v1/users", body, format="json")

    # then
    assert response.status_code == 201
    row = response.json()
    assert row["email"] == "New.Person@example.test"
    assert row["role"] == "instructor"
    assert row["tags"] == ["a", "b"]
    assert "password" not in row
    user = User.objects.get(pk=row["id"])
    assert user.check_password("a long passphrase")
    event = Event.objects.get(school=school, type="user.created")
    assert event.payload["id"] == row["id"]
    assert event.payload["email"] == "New.Person@example.test"


def test_create_an_existing_member_email_is_200_without_a_duplicate(api_client, school):
    # given
    member = MemberFactory(school=school, user=UserFactory(email="ada@example.test"))

    # when
    response = api_client.post(
        "/api/v1/users", {"email": "ADA@example.test", "first_name": "Other"}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["id"] == member.user_id
    assert response.json()["first_name"] == member.user.first_name
    assert Member.objects.filter(school=school).count() == 1
    assert not Event.objects.filter(type="user.created").exists()


def test_create_an_email_of_another_school_is_a_new_account_answered_as_new(
    api_client, school, other_school
):
    # given
    theirs = MemberFactory(
        school=other_school, user=UserFactory(email="ada@example.test", first_name="Secret")
    )
    fresh = api_client.post("/api/v1/users", {"email": "new@example.test"}, format="json")

    # when
    response = api_client.post(
        "/api/v1/users", {"email": "ada@example.test", "company": "Ours"}, format="json"
    )

    # then: exactly as for a brand-new e-mail, and nothing of the other school's account
    assert response.status_code == fresh.status_code == 201
    row = response.json()
    assert row.keys() == fresh.json().keys()
    assert row["id"] != theirs.user_id
    assert row["first_name"] == ""
    assert "Secret" not in response.content.decode()
    assert User.objects.filter(email_key="ada@example.test").count() == 2
    theirs.refresh_from_db()
    assert (theirs.user.first_name, theirs.company) == ("Secret", "Acme")


def test_create_with_a_taken_external_id_is_409(api_client, school):
    # given
    MemberFactory(school=school, external_id="crm-1")

    # when
    response = api_client.post(
        "/api/v1/users", {"email": "x@example.test", "external_id": "crm-1"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "external_id_taken"
    assert "external_id" in response.json()["errors"]


def test_create_with_bad_input_is_400_naming_the_field(api_client):
    # when
    response = api_client.post("/api/v1/users", {"first_name": "No email"}, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"email": ["This field is required."]}


def test_create_with_more_than_50_metadata_keys_is_400(api_client):
    # given
    metadata = {f"key{i}": i for i in range(51)}

    # when
    response = api_client.post(
        "/api/v1/users", {"email": "x@example.test", "metadata": metadata}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "metadata" in response.json()["errors"]
    assert not User.objects.filter(email="x@example.test").exists()


def test_create_with_exactly_50_metadata_keys_is_accepted(api_client):
    # when
    response = api_client.post(
        "/api/v1/users",
        {"email": "x@example.test", "metadata": {f"key{i}": i for i in range(50)}},
        format="json",
    )

    # then
    assert response.status_code == 201


# --- update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_is_partial_and_emits_user_updated(api_client, school, method):
    # given
    member = MemberFactory(school=school, company="Old", department="Keep")

    # when
    response = getattr(api_client, method)(
        f"/api/v1/users/{member.user_id}",
        {"company": "New", "first_name": "Renamed", "tags": ["x"]},
        format="json",
    )

    # then
    assert response.status_code == 200
    row = response.json()
    assert (row["company"], row["department"], row["first_name"]) == ("New", "Keep", "Renamed")
    assert row["tags"] == ["x"]
    event = Event.objects.get(school=school, type="user.updated")
    assert event.payload["company"] == "New"


def test_update_email_to_one_taken_in_the_school_is_409(api_client, school):
    # given
    member = MemberFactory(school=school)
    MemberFactory(school=school, user=UserFactory(email="taken@example.test"))

    # when
    response = api_client.patch(
        f"/api/v1/users/{member.user_id}", {"email": "TAKEN@example.test"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    member.user.refresh_from_db()
    assert member.user.email != "taken@example.test"


def test_update_other_school_user_is_404_and_changes_nothing(api_client, other_school):
    # given
    theirs = MemberFactory(school=other_school, company="Theirs")

    # when
    response = api_client.patch(f"/api/v1/users/{theirs.user_id}", {"company": "Hacked"})

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.company == "Theirs"


def test_update_with_more_than_50_metadata_keys_is_400(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.patch(
        f"/api/v1/users/{member.user_id}",
        {"metadata": {f"k{i}": i for i in range(51)}},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "metadata" in response.json()["errors"]


# --- anonymize -------------------------------------------------------------------------------


def test_anonymize_a_single_school_user_erases_identity(api_client, school):
    # given
    member = MemberFactory(
        school=school,
        user=UserFactory(email="ada@example.test", first_name="Ada"),
        external_id="crm-1",
        metadata={"a": 1},
        tags=["vip"],
    )

    # when
    response = api_client.post(f"/api/v1/users/{member.user_id}/anonymize")

    # then
    assert response.status_code == 200
    row = response.json()
    assert row["id"] == member.user_id
    assert row["anonymized"] is True
    assert "ada" not in row["email"]
    assert (row["first_name"], row["external_id"], row["metadata"], row["tags"]) == ("", "", {}, [])
    user = User.objects.get(pk=member.user_id)
    assert not user.is_active
    assert not user.has_usable_password()
    assert Event.objects.filter(school=school, type="user.anonymized").count() == 1


def test_anonymize_erases_only_this_school_account_of_an_email(api_client, school, other_school):
    # given
    member = MemberFactory(school=school, user=UserFactory(email="ada@example.test"))
    theirs = MemberFactory(
        school=other_school, user=UserFactory(email="ada@example.test"), company="Theirs"
    )
    before = User.objects.filter(pk=theirs.user_id).values().get()

    # when
    response = api_client.post(f"/api/v1/users/{member.user_id}/anonymize")

    # then
    assert response.status_code == 200
    assert response.json()["anonymized"] is True
    assert User.objects.filter(pk=theirs.user_id).values().get() == before
    theirs.refresh_from_db()
    assert theirs.company == "Theirs"


def test_anonymized_email_can_sign_up_again_as_a_new_person(api_client, school):
    # given
    member = MemberFactory(school=school, user=UserFactory(email="ada@example.test"))
    api_client.post(f"/api/v1/users/{member.user_id}/anonymize")

    # when
    response = api_client.post("/api/v1/users", {"email": "ada@example.test"}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["id"] != member.user_id


# --- suspend / unsuspend ---------------------------------------------------------------------


def test_suspend_and_unsuspend(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    suspended = api_client.put(f"/api/v1/users/{member.user_id}/suspend")
    again = api_client.put(f"/api/v1/users/{member.user_id}/suspend")
    unsuspended = api_client.put(f"/api/v1/users/{member.user_id}/unsuspend")

    # then
    assert suspended.status_code == again.status_code == unsuspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert unsuspended.json()["status"] == "active"
    types = list(Event.objects.filter(school=school).order_by("id").values_list("type", flat=True))
    assert types == ["user.suspended", "user.updated"]


def test_suspend_other_school_user_is_404(api_client, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.put(f"/api/v1/users/{theirs.user_id}/suspend")

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Member.Status.ACTIVE


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "tags", "expected"),
    [
        ("replace", ["c"], ["c"]),
        ("attach", ["c", "a"], ["a", "b", "c"]),
        ("detach", ["a", "zzz"], ["b"]),
        (None, ["z"], ["z"]),
    ],
)
def test_tags_replace_attach_detach(api_client, school, action, tags, expected):
    # given
    member = MemberFactory(school=school, tags=["a", "b"])
    body = {"tags": tags} if action is None else {"tags": tags, "action": action}

    # when
    response = api_client.put(f"/api/v1/users/{member.user_id}/tags", body, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["tags"] == expected
    assert Event.objects.filter(school=school, type="user.updated").count() == 1


def test_tags_are_made_in_the_caller_school_only(api_client, school, other_school):
    # given
    member = MemberFactory(school=school, tags=[])
    MemberFactory(school=other_school, tags=["shared"])

    # when
    api_client.put(f"/api/v1/users/{member.user_id}/tags", {"tags": ["shared"]}, format="json")

    # then
    tag = member.tags.get()
    assert tag.school_id == school.id


def test_tags_with_bad_input_is_400(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.put(
        f"/api/v1/users/{member.user_id}/tags", {"tags": ["x" * 101]}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "tags.0" in response.json()["errors"]


# --- events ----------------------------------------------------------------------------------


def test_user_events_are_visible_in_the_event_log_newest_first(api_client, school):
    # given
    with freeze_time("2026-01-01T00:00:00Z"):
        created = api_client.post("/api/v1/users", {"email": "a@example.test"}, format="json")
    user_id = created.json()["id"]
    with freeze_time("2026-01-02T00:00:00Z"):
        api_client.patch(f"/api/v1/users/{user_id}", {"company": "X"}, format="json")

    # when
    response = api_client.get("/api/v1/event-logs")

    # then
    rows = response.json()["results"]
    assert [row["type"] for row in rows] == ["user.updated", "user.created"]
    assert rows[0]["data"]["company"] == "X"
    assert rows[1]["data"]["id"] == user_id
    assert rows[0]["id"].startswith("evt_")


def test_events_of_another_school_are_not_in_the_log(api_client, other_school):
    # given
    user_create(school=other_school, email="theirs@example.test")

    # when
    response = api_client.get("/api/v1/event-logs")

    # then
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "metadata",
    [
        {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}},
        {"big": "x" * 20_000},
        {"outer": {f"k{i}": i for i in range(60)}},
    ],
    ids=["deep", "large", "nested-keys"],
)
def test_create_with_metadata_past_its_bounds_is_400(api_client, metadata):
    # when
    response = api_client.post(
        "/api/v1/users", {"email": "ada@example.test", "metadata": metadata}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "metadata" in response.json()["errors"]
    assert not User.objects.exists()
