"""``GET /api/v1/event-logs``: the school's events, newest first, filtered by type and time."""

import pytest
from freezegun import freeze_time

from apps.core.credentials import ALL_SCOPES
from apps.core.event_types import registered
from apps.core.events import emit, event_read_scope
from tests.factories import EventFactory

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


# --- each event is visible only with the read scope of its area ------------------------------

AREA_EVENTS = {
    "user.created": "read:users",
    "group.member.added": "read:users",
    "domain.enrollment.created": "read:users",
    "invite.accepted": "read:users",
    "enrollment.created": "read:enrollments",
    "enrollment.progress_updated": "read:progress",
    "certificate.issued": "read:certificates",
    "purchase.fulfilled": "read:commerce",
    "community.member.added": "read:community",
    "ping": "read:webhooks",
}


@pytest.fixture
def area_events(school) -> dict[str, str]:
    """One stored event of each area (the next apps' too), by type -> id."""
    return {
        type_: EventFactory(school=school, type=type_, payload={"email": "jane@example.test"}).id
        for type_ in AREA_EVENTS
    }


def listed_types(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["type"] for row in response.json()["results"]}


def test_webhooks_only_key_sees_no_user_profiles(scoped_client, area_events):
    # given
    client = scoped_client("read:webhooks")

    # when
    listed = client.get("/api/v1/event-logs")
    user_event = client.get(f"/api/v1/event-logs/{area_events['user.created']}")
    ping = client.get(f"/api/v1/event-logs/{area_events['ping']}")

    # then
    assert listed_types(listed) == {"ping"}
    assert listed.json()["count"] == 1
    assert user_event.status_code == 404
    assert user_event.json()["code"] == "not_found"
    assert ping.status_code == 200


@pytest.mark.parametrize("scope", sorted({s for s in AREA_EVENTS.values() if s != "read:webhooks"}))
def test_each_area_needs_its_read_scope(scoped_client, area_events, scope):
    # given: the event log itself is part of the webhooks area
    client = scoped_client("read:webhooks", scope)

    # when
    listed = client.get("/api/v1/event-logs", {"page_size": 100})

    # then
    expected = {t for t, s in AREA_EVENTS.items() if s in (scope, "read:webhooks")}
    assert listed_types(listed) == expected
    for type_, event_id in area_events.items():
        status = client.get(f"/api/v1/event-logs/{event_id}").status_code
        assert status == (200 if type_ in expected else 404), type_


def test_all_scopes_key_sees_every_area(api_client, area_events):
    # when
    listed = api_client.get("/api/v1/event-logs", {"page_size": 100})

    # then
    assert listed_types(listed) == set(AREA_EVENTS)


def test_event_of_an_unknown_area_is_seen_only_with_every_scope(api_client, scoped_client, school):
    # given
    event = EventFactory(school=school, type="mystery.happened", payload={"secret": "x"})
    every_named_scope = scoped_client(*ALL_SCOPES)

    # when
    narrow = every_named_scope.get(f"/api/v1/event-logs/{event.id}")
    wildcard = api_client.get(f"/api/v1/event-logs/{event.id}")

    # then
    assert narrow.status_code == 404
    assert wildcard.status_code == 200


def test_event_read_scope_takes_the_longest_area_prefix():
    # then
    assert event_read_scope("enrollment.completed") == "read:enrollments"
    assert event_read_scope("enrollment.progress_updated") == "read:progress"
    assert event_read_scope("domain.enrollment.updated") == "read:users"
    assert event_read_scope("ping") == "read:webhooks"
    assert event_read_scope("users.created") is None  # areas match whole dotted segments
    assert event_read_scope("mystery") is None


def test_every_registered_event_type_has_a_read_scope():
    # then: a new event type must say which scope reads it, or only "*" keys would see it
    for event_type in registered():
        assert event_read_scope(event_type.name) in ALL_SCOPES, event_type.name


def test_schema_says_events_are_filtered_by_scope(api_client):
    # when
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    # then
    for path in ("/api/v1/event-logs/", "/api/v1/event-logs/{id}/"):
        description = schema["paths"][path]["get"]["description"]
        assert "read scope of its area" in description, path
        assert "read:users" in description, path
