"""``updated_since`` on every list: rows changed at or after the time, oldest change first."""

import pytest
from freezegun import freeze_time

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_updated_since_returns_rows_changed_at_or_after_oldest_first(api_client, school):
    # given
    with freeze_time("2026-01-01T10:00:00Z"):
        MemberFactory(school=school)
    with freeze_time("2026-01-02T10:00:00Z"):
        later = MemberFactory(school=school)
    with freeze_time("2026-01-03T10:00:00Z"):
        latest = MemberFactory(school=school)
    with freeze_time("2026-01-04T10:00:00Z"):
        later.company = "Changed"
        later.save()

    # when
    response = api_client.get("/api/v1/users", {"updated_since": "2026-01-02T10:00:00Z"})

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [latest.user_id, later.user_id]


def test_updated_since_accepts_an_offset_whose_plus_became_a_space(api_client, school):
    # given
    with freeze_time("2026-01-02T10:00:00Z"):
        member = MemberFactory(school=school)

    # when: "+01:00" unescaped in a query string arrives as " 01:00"
    response = api_client.get("/api/v1/users?updated_since=2026-01-02T10:30:00+01:00")

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [member.user_id]


@pytest.mark.parametrize("value", ["2026-02-30T00:00:00Z", "2026-01-01T25:00:00Z"])
def test_updated_since_impossible_date_is_400_not_500(api_client, value):
    # when
    response = api_client.get("/api/v1/users", {"updated_since": value})

    # then
    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]
