import pytest

from apps.schools.services.people import user_create
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def test_tags_list_the_schools_tags_with_their_user_counts(api_client, school, other_school):
    # given
    user_create(school=school, email="a@alpha.test", tags=["Beta", "alpha"])
    user_create(school=school, email="b@alpha.test", tags=["alpha"])
    TagFactory(school=other_school, name="theirs")

    # when
    response = api_client.get("/api/v1/tags")

    # then
    assert response.status_code == 200
    rows = [(row["name"], row["user_count"]) for row in response.json()["results"]]
    assert rows == [("Beta", 1), ("alpha", 2)]


def test_tags_filter_by_name_in_any_case(api_client, school):
    user_create(school=school, email="a@alpha.test", tags=["Safety", "Other"])

    response = api_client.get("/api/v1/tags?name=safety")

    assert [row["name"] for row in response.json()["results"]] == ["Safety"]


def test_a_learner_cannot_list_the_schools_tags(user_client):
    assert user_client.get("/api/v1/tags").status_code == 403
