"""``?search=`` on lists: matches names and e-mails; its errors name the parameter."""

import pytest

from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_search_matches_email_and_names(api_client, school):
    # given
    ada = MemberFactory(school=school, user=UserFactory(first_name="Ada", email="ada@x.test"))
    MemberFactory(school=school, user=UserFactory(first_name="Bob", email="bob@x.test"))

    # when
    response = api_client.get("/api/v1/users", {"search": "ada"})

    # then
    assert [row["id"] for row in response.json()["results"]] == [ada.user_id]


def test_search_with_a_nul_character_is_400_naming_search(api_client):
    # when
    response = api_client.get("/api/v1/users?search=a%00b")

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"search": ["Null characters are not allowed."]}
    assert body["detail"].startswith("search:")
