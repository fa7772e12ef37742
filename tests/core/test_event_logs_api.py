"""``GET /api/v1/event-logs``: the school's events, newest first, filtered by type and time."""

import pytest
from freezegun import freeze_time

from apps.core.events import emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(school):
    made = []
    for day, type_ in ((1, "user.created"), (2, "user.updated"), (3, "user.created")):
        with freeze_time(f"2026-01-0{day}T12:00:00Z"):
            made.append(emit(school, type_, {"day": day}))
    return made


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_event_log_lists_newest_first(api_client, three_events):
    # when
    response = api_client.get("/api/v1/event-logs")

    # then
    assert ids(response) == [e.id for e in reversed(three_events)]
    row = response.json()["results"][0]
    assert row == {
        "id": three_events[2].id,
        "type": "user.created",
        "data": {"day": 3},
        "created_at": "2026-01-03T12:00:00.000000Z",
    }


def test_event_log_filters_by_type(api_client, three_events):
    # when
    response = api_client.get("/api/v1/event-logs", {"type": "user.updated"})

    # then
    assert ids(response) == [three_events[1].id]


def test_event_log_filters_by_time_range(api_client, three_events):
    # when
    response = api_client.get(
        "/api/v1/event-logs",
        {"created_after": "2026-01-02T00:00:00Z", "created_before": "2026-01-03T12:00:00Z"},
    )

    # then: after is inclusive, before is exclusive
    assert ids(response) == [three_events[1].id]


def test_event_log_needs_the_webhooks_read_scope(scoped_client, three_events):
    # when
    allowed = scoped_client("read:webhooks").get("/api/v1/event-logs")
    refused = scoped_client("read:users").get("/api/v1/event-logs")

    # then
    assert allowed.status_code == 200
    assert refused.status_code == 403


def test_event_log_is_for_api_keys_only(user_client):
    # when
    response = user_client.get("/api/v1/event-logs")

    # then
    assert response.status_code == 403


def test_event_of_another_school_is_404(api_client, other_school):
    # given
    event = emit(other_school, "user.created", {})

    # when
    response = api_client.get(f"/api/v1/event-logs/{event.id}")

    # then
    assert response.status_code == 404


def test_event_log_pages_up_to_1000(api_client, school):
    # given
    for n in range(3):
        emit(school, "user.created", {"n": n})

    # when
    response = api_client.get("/api/v1/event-logs", {"page_size": 5000})

    # then
    assert len(response.json()["results"]) == 3


def test_event_log_query_count_is_constant(api_client, school, django_assert_num_queries):
    # given
    for n in range(4):
        emit(school, "user.created", {"n": n})
    api_client.get("/api/v1/event-logs")

    # then
    with django_assert_num_queries(3):
        api_client.get("/api/v1/event-logs", {"page_size": 1})
    with django_assert_num_queries(3):
        api_client.get("/api/v1/event-logs", {"page_size": 4})
