"""Collections and spaces through the API: order, writes, sanitising, refusals, deletion."""

import pytest

from apps.community.models import Space
from apps.community.services import spaces as space_services
from apps.community.services.spaces import space_restore
from tests.factories import CollectionFactory, CourseFactory, SpaceFactory, SpaceMemberFactory

pytestmark = pytest.mark.django_db

COLLECTIONS = "/api/v1/community/collections"
SPACES = "/api/v1/community/spaces"


def test_collections_are_listed_oldest_first_with_their_space_counts(api_client, school):
    # given
    first = CollectionFactory(school=school, title="B first")
    second = CollectionFactory(school=school, title="A second")
    SpaceFactory(school=school, collection=first)
    SpaceFactory(school=school, collection=first, deleted_at="2026-01-01T00:00:00Z")

    # when
    response = api_client.get(COLLECTIONS)

    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [first.id, second.id]
    assert [row["space_count"] for row in rows] == [1, 0]


def test_collection_is_created_and_updated_by_staff(api_client):
    # when
    created = api_client.post(COLLECTIONS, {"title": "Crews"}, format="json")
    url = f"{COLLECTIONS}/{created.json()['id']}"
    updated = api_client.put(url, {"description": "Who drives what."}, format="json")

    # then
    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json()["title"] == "Crews"
    assert updated.json()["description"] == "Who drives what."


@pytest.mark.parametrize("title", ["", "   ", None])
def test_collection_with_an_empty_title_is_refused(api_client, title):
    # when
    response = api_client.post(COLLECTIONS, {"title": title}, format="json")

    # then
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


def test_spaces_are_listed_oldest_first_without_deleted_ones(api_client, school):
    # given
    first = SpaceFactory(school=school, title="Z")
    SpaceFactory(school=school, deleted_at="2026-01-01T00:00:00Z")
    second = SpaceFactory(school=school, title="A")
    SpaceMemberFactory(school=school, space=first)

    # when
    response = api_client.get(SPACES)

    # then
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [first.id, second.id]
    assert rows[0]["member_count"] == 1


def test_space_is_created_with_its_description_sanitised(api_client, school):
    # given
    collection = CollectionFactory(school=school)
    course = CourseFactory(school=school)
    body = {
        "title": "Forklift drivers",
        "description": '<p onclick="steal()">Hi<script>alert(1)</script></p>',
        "collection_id": collection.id,
        "visibility": "private",
        "is_invitation_required": True,
        "course_id": course.id,
    }

    # when
    response = api_client.post(SPACES, body, format="json")

    # then
    assert response.status_code == 201, response.content
    space = response.json()
    assert space["description"] == "<p>Hi</p>"
    assert (space["collection_id"], space["course_id"]) == (collection.id, course.id)
    assert space["visibility"] == "private"
    assert space["is_invitation_required"] is True


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"title": ""}, "title", "invalid"),
        ({"title": "x" * 201}, "title", "max_length"),
        ({"title": "Ok", "visibility": "hidden"}, "visibility", "invalid_choice"),
        ({"title": "Ok", "collection_id": "ccl_nope"}, "collection_id", "does_not_exist"),
        ({"title": "Ok", "collection_id": ""}, "collection_id", "does_not_exist"),
        ({"title": "Ok", "course_id": ""}, "course_id", "does_not_exist"),
        ({"title": "Bad\ttab"}, "title", "control_characters"),
    ],
)
def test_space_with_bad_input_is_refused_with_a_code(api_client, body, field, code):
    # when
    response = api_client.post(SPACES, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_space_naming_another_schools_collection_or_course_is_refused(api_client, other_school):
    # given
    collection = CollectionFactory(school=other_school)
    course = CourseFactory(school=other_school)

    # when
    response = api_client.post(
        SPACES,
        {"title": "Ok", "collection_id": collection.id, "course_id": course.id},
        format="json",
    )

    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"collection_id", "course_id"}
    assert "does not exist" in str(errors)
    assert not Space.objects.exists()


def test_space_is_updated_partially_with_put(api_client, school):
    # given
    space = SpaceFactory(school=school, title="Old", visibility="public")

    # when
    response = api_client.put(f"{SPACES}/{space.id}", {"visibility": "secret"}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["title"] == "Old"
    assert response.json()["visibility"] == "secret"


def test_deleting_an_empty_space_removes_it(api_client, school):
    # given
    space = SpaceFactory(school=school)

    # when
    response = api_client.delete(f"{SPACES}/{space.id}")

    # then
    assert response.status_code == 204
    assert not Space.objects.filter(pk=space.pk).exists()


def test_deleting_a_space_with_content_keeps_it_restorable(api_client, school, monkeypatch):
    # given: a content check like the one the posts item registers
    space = SpaceFactory(school=school)
    monkeypatch.setattr(space_services, "_content_checks", [lambda s: s.pk == space.pk])

    # when
    deleted = api_client.delete(f"{SPACES}/{space.id}")
    hidden = api_client.get(f"{SPACES}/{space.id}")
    space_restore(space=Space.objects.get(pk=space.pk))
    restored = api_client.get(f"{SPACES}/{space.id}")

    # then
    assert deleted.status_code == 204
    assert hidden.status_code == 404
    assert restored.status_code == 200
