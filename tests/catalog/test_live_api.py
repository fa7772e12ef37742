from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from icalendar import Calendar

from apps.catalog.models import IltInstructor, IltSession, LessonType
from apps.catalog.services import lessons as lesson_services
from apps.catalog.services import live as live_services
from apps.core.models import Event
from apps.schools.models import Tag
from tests.factories import (
    CourseFactory,
    IltMultiSessionEventFactory,
    IltSessionFactory,
    LessonFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# The same whatever the page size: the credential, the count, the rows (and the tags).
SESSION_LIST_QUERIES = 5
VILT_LIST_QUERIES = 4

SEED_SESSION_FIELDS = [
    "instructor_email",
    "provider",
    "multi_session_event",
    "seats_total",
    "timezone",
    "description",
    "post_registration_instructions",
    "location",
    "event_link",
    "ends_at",
    "lesson",
    "starts_at",
    "display_name",
    "tags",
]


def _live_lesson(school, **kwargs):
    return LessonFactory(school=school, type=LessonType.LIVE_TRAINING, **kwargs)


def _body(lesson=None, **overrides) -> dict:
    body = {
        "instructor_email": "ada@example.com",
        "timezone": "Europe/Paris",
        "starts_at": "2030-05-01T09:00:00Z",
        "ends_at": "2030-05-01T11:00:00Z",
        "display_name": "Forklift safety, live",
    }
    if lesson is not None:
        body["lesson"] = lesson.id
    body.update(overrides)
    return body


def _error(response, field: str) -> None:
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


# --- sessions --------------------------------------------------------------------------------


def test_create_session_answers_every_seed_field(api_client, school):
    # given
    lesson = _live_lesson(school)

    # when
    response = api_client.post(
        "/api/v1/ilt-sessions",
        _body(
            lesson,
            seats_total=12,
            location="Room 4",
            event_link="https://meet.example.com/x",
            description='<p onclick="x()">Bring <b>boots</b><script>alert(1)</script></p>',
            post_registration_instructions="<a href='javascript:alert(1)'>map</a>",
            tags=["safety", "onsite"],
        ),
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(SEED_SESSION_FIELDS) <= set(body)
    assert body["id"].startswith("ils_")
    assert body["provider"] == "calendar"
    assert (body["lesson"], body["multi_session_event"], body["seats_total"]) == (
        lesson.id,
        None,
        12,
    )
    assert body["starts_at"] == "2030-05-01T09:00:00.000000Z"
    assert sorted(body["tags"]) == ["onsite", "safety"]
    assert "script" not in body["description"]
    assert "onclick" not in body["description"]
    assert "<b>boots</b>" in body["description"]
    assert "javascript" not in body["post_registration_instructions"]


def test_instructor_is_recorded_from_a_named_address(api_client, school):
    # given
    lesson = _live_lesson(school)

    # when
    response = api_client.post(
        "/api/v1/ilt-sessions",
        _body(lesson, instructor_email="Ada Lovelace <Ada@Example.COM>"),
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    instructor = IltInstructor.objects.get(school=school)
    assert (instructor.email, instructor.name, instructor.provider) == (
        "Ada@example.com",
        "Ada Lovelace",
        "calendar",
    )
    assert response.json()["instructor_id"] == instructor.id


def test_same_instructor_twice_is_one_row(api_client, school):
    # given
    lesson = _live_lesson(school)
    api_client.post("/api/v1/ilt-sessions", _body(lesson), format="json")

    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(lesson, instructor_email="ADA@example.com"), format="json"
    )

    # then
    assert response.status_code == 201
    assert IltInstructor.objects.filter(school=school).count() == 1


def test_backward_compatible_time_zone_link_is_accepted(api_client, school):
    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(_live_lesson(school), timezone="US/Pacific"), format="json"
    )

    # then
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "US/Pacific"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"ends_at": "2030-05-01T08:00:00Z"}, "ends_at"),
        ({"ends_at": "2030-05-01T09:00:00Z"}, "ends_at"),
        ({"provider": "zoom.meeting", "location": "Room 4"}, "location"),
        ({"provider": "webex.webinar", "event_link": "https://x.example.com"}, "event_link"),
        (
            {"provider": "zoom.meeting", "instructor_email": "Ada <ada@example.com>"},
            "instructor_email",
        ),
        ({"instructor_email": "not an address"}, "instructor_email"),
        ({"provider": "teams"}, "provider"),
        ({"seats_total": 0}, "seats_total"),
    ],
)
def test_bad_session_input_is_400_naming_the_field(api_client, school, overrides, field):
    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(_live_lesson(school), **overrides), format="json"
    )

    # then
    _error(response, field)
    assert not IltSession.objects.exists()
    assert not IltInstructor.objects.exists()


def test_session_needs_a_live_training_lesson(api_client, school):
    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(LessonFactory(school=school)), format="json"
    )

    # then
    _error(response, "lesson")
    assert response.json()["code"] == "lesson_not_live_training"


def test_session_needs_exactly_one_parent(api_client, school):
    # given
    event = IltMultiSessionEventFactory(school=school)

    # when
    neither = api_client.post("/api/v1/ilt-sessions", _body(), format="json")
    both = api_client.post(
        "/api/v1/ilt-sessions",
        _body(_live_lesson(school), multi_session_event=event.id),
        format="json",
    )

    # then
    assert neither.json()["code"] == both.json()["code"] == "ilt_session_parent_invalid"
    assert neither.status_code == both.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "field"), [({"seats_total": 5}, "seats_total"), ({"tags": ["x"]}, "tags")]
)
def test_multi_session_child_refuses_seats_and_tags(api_client, school, overrides, field):
    # given
    event = IltMultiSessionEventFactory(school=school, seats_total=20)

    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(multi_session_event=event.id, **overrides), format="json"
    )

    # then
    _error(response, field)
    assert response.json()["code"] == "not_for_multi_session_child"


def test_multi_session_child_is_created_without_seats(api_client, school):
    # given
    event = IltMultiSessionEventFactory(school=school, seats_total=20)

    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(multi_session_event=event.id), format="json"
    )

    # then
    assert response.status_code == 201, response.content
    assert response.json()["multi_session_event"] == event.id
    assert response.json()["lesson"] is None
    assert response.json()["seats_total"] is None


def test_another_schools_lesson_or_event_does_not_exist(api_client, school, other_school):
    # given
    foreign_lesson = _live_lesson(other_school)
    foreign_event = IltMultiSessionEventFactory(school=other_school)

    # when
    by_lesson = api_client.post("/api/v1/ilt-sessions", _body(foreign_lesson), format="json")
    by_event = api_client.post(
        "/api/v1/ilt-sessions", _body(multi_session_event=foreign_event.id), format="json"
    )

    # then
    _error(by_lesson, "lesson")
    _error(by_event, "multi_session_event")
    assert "does not exist" in str(by_lesson.json()["errors"]["lesson"])


def test_update_is_partial_and_rechecks_the_rules(api_client, school):
    # given
    session = IltSessionFactory(school=school, location="Room 1")

    # when
    renamed = api_client.put(
        f"/api/v1/ilt-sessions/{session.id}", {"display_name": "Renamed"}, format="json"
    )
    to_zoom = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}", {"provider": "zoom.meeting"}, format="json"
    )
    backwards = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}",
        {"ends_at": (session.starts_at - timedelta(minutes=1)).isoformat()},
        format="json",
    )

    # then
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["display_name"] == "Renamed"
    assert renamed.json()["location"] == "Room 1"
    _error(to_zoom, "location")
    _error(backwards, "ends_at")
    session.refresh_from_db()
    assert (session.provider, session.display_name) == ("calendar", "Renamed")


def test_moving_a_session_into_an_event_needs_its_seats_cleared(api_client, school):
    # given
    session = IltSessionFactory(school=school, seats_total=10)
    event = IltMultiSessionEventFactory(school=school)

    # when
    refused = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}", {"multi_session_event": event.id}, format="json"
    )
    moved = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}",
        {"multi_session_event": event.id, "seats_total": None},
        format="json",
    )

    # then
    _error(refused, "seats_total")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["multi_session_event"], moved.json()["lesson"]) == (event.id, None)


def test_update_replaces_tags_through_the_schools_tags(api_client, school):
    # given
    session = IltSessionFactory(school=school)
    existing = TagFactory(school=school, name="onsite")

    # when
    response = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}", {"tags": ["onsite", "new"]}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert sorted(response.json()["tags"]) == ["new", "onsite"]
    assert existing in session.tags.all()


def test_another_schools_session_is_404(api_client, other_school):
    # given
    session = IltSessionFactory(school=other_school)

    # when
    read = api_client.get(f"/api/v1/ilt-sessions/{session.id}")
    write = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}", {"display_name": "x"}, format="json"
    )
    ics = api_client.get(f"/api/v1/ilt-sessions/{session.id}/ics")

    # then
    assert read.status_code == write.status_code == ics.status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_session_list_runs_constant_queries(api_client, school, size, django_assert_num_queries):
    # given
    event = IltMultiSessionEventFactory(school=school)
    for index in range(size):
        session = IltSessionFactory(school=school)
        session.tags.add(TagFactory(school=school, name=f"t{index}"))
        IltSessionFactory(school=school, lesson=None, multi_session_event=event)

    # when
    with django_assert_num_queries(SESSION_LIST_QUERIES):
        response = api_client.get("/api/v1/ilt-sessions")

    # then
    assert response.json()["count"] == 2 * size
    assert len({r["id"] for r in response.json()["results"]}) == 2 * size


# --- tags: a list or one comma-separated string ----------------------------------------------


@pytest.mark.parametrize(
    "tags",
    [
        "Onsite, forklift ,, onsite,",
        ["Onsite", " forklift", "", "ONSITE"],
    ],
    ids=["comma-separated", "array"],
)
def test_session_tags_are_a_list_or_a_comma_separated_string_read_back_as_a_list(
    api_client, school, tags
):
    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(_live_lesson(school), tags=tags), format="json"
    )

    # then: trimmed, blanks dropped, once each whatever the case, the first spelling kept
    assert response.status_code == 201, response.content
    assert sorted(response.json()["tags"]) == ["Onsite", "forklift"]
    assert sorted(Tag.objects.filter(school=school).values_list("name", flat=True)) == [
        "Onsite",
        "forklift",
    ]


def test_session_tags_update_from_a_comma_separated_string(api_client, school):
    # given
    session = IltSessionFactory(school=school)
    session.tags.add(TagFactory(school=school, name="old"))

    # when
    response = api_client.patch(
        f"/api/v1/ilt-sessions/{session.id}", {"tags": "evening,Remote"}, format="json"
    )
    cleared = api_client.patch(f"/api/v1/ilt-sessions/{session.id}", {"tags": ""}, format="json")

    # then
    assert response.status_code == 200, response.content
    assert sorted(response.json()["tags"]) == ["Remote", "evening"]
    assert cleared.status_code == 200
    assert cleared.json()["tags"] == []


@pytest.mark.parametrize(
    "tags",
    [42, {"name": "x"}, [42], "bad\x00tag", ["x" * 101], ",".join(f"t{n}" for n in range(51))],
    ids=["number", "object", "number-in-list", "control-character", "too-long", "too-many"],
)
def test_bad_session_tags_are_400_naming_tags(api_client, school, tags):
    # when
    response = api_client.post(
        "/api/v1/ilt-sessions", _body(_live_lesson(school), tags=tags), format="json"
    )

    # then: the field, or the item of it (tags.0), is named
    assert response.status_code == 400, response.content
    assert [key.split(".")[0] for key in response.json()["errors"]] == ["tags"]
    assert not IltSession.objects.exists()


def test_multi_session_child_refuses_tags_given_as_a_string_but_not_blanks(api_client, school):
    # given
    event = IltMultiSessionEventFactory(school=school)

    # when
    tagged = api_client.post(
        "/api/v1/ilt-sessions", _body(multi_session_event=event.id, tags="x"), format="json"
    )
    blank = api_client.post(
        "/api/v1/ilt-sessions", _body(multi_session_event=event.id, tags=" , "), format="json"
    )

    # then
    _error(tagged, "tags")
    assert blank.status_code == 201, blank.content


def test_session_tags_in_the_schema_are_a_list_or_a_string(api_client):
    # when
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    # then
    tags = schema["components"]["schemas"]["IltSessionWriteRequest"]["properties"]["tags"]
    assert sorted(branch["type"] for branch in tags["oneOf"]) == ["array", "string"]


# --- events ----------------------------------------------------------------------------------


def _events(school, type: str) -> list[dict]:
    return list(
        Event.objects.filter(school=school, type=type)
        .values_list("payload", flat=True)
        .order_by("id")
    )


def test_sessions_emit_created_and_updated_only_when_something_changed(api_client, school):
    # given
    lesson = _live_lesson(school)

    # when
    created = api_client.post("/api/v1/ilt-sessions", _body(lesson, tags="a, b"), format="json")
    url = f"/api/v1/ilt-sessions/{created.json()['id']}"
    api_client.patch(url, {"display_name": "Forklift safety, live", "tags": "b, a"}, format="json")
    api_client.patch(url, {"seats_total": 8}, format="json")

    # then: the second request changed nothing, so only the third is an update
    assert created.status_code == 201, created.content
    [sent] = _events(school, "ilt_session.created")
    assert sent == {
        "id": created.json()["id"],
        "lesson_id": lesson.id,
        "multi_session_event_id": None,
        "display_name": "Forklift safety, live",
        "starts_at": "2030-05-01T09:00:00.000000Z",
        "ends_at": "2030-05-01T11:00:00.000000Z",
        "timezone": "Europe/Paris",
        "provider": "calendar",
        "instructor_id": created.json()["instructor_id"],
        "seats_total": None,
        "tags": ["a", "b"],
    }
    [update] = _events(school, "ilt_session.updated")
    assert (update["seats_total"], update["tags"]) == (8, ["a", "b"])


def test_multi_session_events_emit_created_and_updated(api_client, school):
    # given
    lesson = _live_lesson(school)

    # when
    created = api_client.post(
        "/api/v1/ilt-multi-session-events",
        {"lesson": lesson.id, "display_name": "Week", "seats_total": 10},
        format="json",
    )
    url = f"/api/v1/ilt-multi-session-events/{created.json()['id']}"
    api_client.patch(url, {"seats_total": 10}, format="json")
    api_client.patch(url, {"display_name": "Week one"}, format="json")

    # then
    assert _events(school, "ilt_multi_session_event.created") == [
        {
            "id": created.json()["id"],
            "lesson_id": lesson.id,
            "display_name": "Week",
            "seats_total": 10,
        }
    ]
    assert [e["display_name"] for e in _events(school, "ilt_multi_session_event.updated")] == [
        "Week one"
    ]


# --- iCalendar -------------------------------------------------------------------------------


def test_ics_feed_parses_back_with_the_session(api_client, school):
    # given
    lesson = _live_lesson(school)
    created = api_client.post(
        "/api/v1/ilt-sessions",
        _body(
            lesson,
            instructor_email="Ada Lovelace <ada@example.com>",
            timezone="America/New_York",
            location="Room 4",
            event_link="https://meet.example.com/x",
            description="<p>Bring <b>boots</b> &amp; gloves</p>",
        ),
        format="json",
    ).json()

    # when
    response = api_client.get(f"/api/v1/ilt-sessions/{created['id']}/ics")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Forklift safety, live"
    assert str(event["uid"]) == f"{created['id']}@lyceum"
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "America/New_York"
    assert start == datetime(2030, 5, 1, 9, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2030, 5, 1, 11, tzinfo=UTC)
    assert str(event["location"]) == "Room 4"
    assert str(event["url"]) == "https://meet.example.com/x"
    assert str(event["description"]) == "Bring boots & gloves"
    assert str(event["organizer"]) == "mailto:ada@example.com"
    assert event["organizer"].params["CN"] == "Ada Lovelace"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


# --- multi-session events --------------------------------------------------------------------


def test_create_and_update_a_multi_session_event(api_client, school):
    # given
    lesson = _live_lesson(school)

    # when
    created = api_client.post(
        "/api/v1/ilt-multi-session-events",
        {"lesson": lesson.id, "display_name": "event_display_name", "seats_total": 10},
        format="json",
    )
    updated = api_client.patch(
        f"/api/v1/ilt-multi-session-events/{created.json()['id']}",
        {"seats_total": None},
        format="json",
    )

    # then
    assert created.status_code == 201, created.content
    assert created.json()["id"].startswith("ime_")
    assert (created.json()["lesson"], created.json()["seats_total"]) == (lesson.id, 10)
    assert updated.status_code == 200
    assert updated.json()["seats_total"] is None


def test_multi_session_event_needs_a_live_training_lesson_of_the_school(
    api_client, school, other_school
):
    # when
    html = api_client.post(
        "/api/v1/ilt-multi-session-events",
        {"lesson": LessonFactory(school=school).id, "display_name": "x"},
        format="json",
    )
    foreign = api_client.post(
        "/api/v1/ilt-multi-session-events",
        {"lesson": _live_lesson(other_school).id, "display_name": "x"},
        format="json",
    )
    missing_name = api_client.post(
        "/api/v1/ilt-multi-session-events", {"lesson": _live_lesson(school).id}, format="json"
    )

    # then
    _error(html, "lesson")
    _error(foreign, "lesson")
    _error(missing_name, "display_name")


# --- instructors -----------------------------------------------------------------------------


def test_instructors_filter_by_email_and_provider(api_client, school):
    # given
    lesson = _live_lesson(school)
    for email, provider in [
        ("ada@example.com", "calendar"),
        ("ada@example.com", "zoom.meeting"),
        ("bob@example.com", "zoom.meeting"),
    ]:
        response = api_client.post(
            "/api/v1/ilt-sessions",
            _body(lesson, instructor_email=email, provider=provider),
            format="json",
        )
        assert response.status_code == 201, response.content

    # when
    by_email = api_client.get("/api/v1/ilt-instructors?email=ADA@example.com").json()
    by_provider = api_client.get("/api/v1/ilt-instructors?provider=zoom.meeting").json()
    both = api_client.get(
        "/api/v1/ilt-instructors", {"email": "ada@example.com", "provider": "zoom.meeting"}
    ).json()

    # then
    assert by_email["count"] == 2
    assert sorted(r["email"] for r in by_provider["results"]) == [
        "ada@example.com",
        "bob@example.com",
    ]
    assert both["count"] == 1
    assert set(both["results"][0]) >= {"id", "email", "name", "provider"}


def test_instructor_provider_filter_refuses_unknown_providers(api_client):
    # when
    response = api_client.get("/api/v1/ilt-instructors?provider=teams")

    # then
    _error(response, "provider")


# --- VILT session events ---------------------------------------------------------------------


def test_vilt_session_events_filter_by_course_lesson_and_window(api_client, school):
    # given
    course = CourseFactory(school=school)
    lesson = _live_lesson(school, course=course)
    event = IltMultiSessionEventFactory(school=school, lesson=lesson)
    start = timezone.now() + timedelta(days=3)
    single = IltSessionFactory(school=school, lesson=lesson, starts_at=start)
    part = IltSessionFactory(
        school=school,
        lesson=None,
        multi_session_event=event,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=2),
    )
    elsewhere = IltSessionFactory(school=school)

    # when
    by_course = api_client.get(
        "/api/v1/vilt-session-events", {"session__lesson__course__id": course.id}
    ).json()
    by_lesson = api_client.get(
        "/api/v1/vilt-session-events", {"session__lesson__id": lesson.id}
    ).json()
    window = api_client.get(
        "/api/v1/vilt-session-events",
        {
            "starts_at__gte": (start + timedelta(hours=1)).isoformat(),
            "ends_at__lte": (start + timedelta(days=1, hours=2)).isoformat(),
        },
    ).json()

    # then
    assert [r["id"] for r in by_course["results"]] == [single.id, part.id]
    assert [r["id"] for r in by_lesson["results"]] == [single.id, part.id]
    assert [r["id"] for r in window["results"]] == [part.id]
    assert elsewhere.id not in str(by_course)
    shown = by_course["results"][1]["session"]
    assert shown == {
        "id": event.id,
        "lesson_id": lesson.id,
        "course_id": course.id,
        "multi_session_event_id": event.id,
    }
    assert by_course["results"][0]["session"]["id"] == single.id


def test_vilt_session_events_refuse_a_time_without_zone(api_client):
    # when
    response = api_client.get("/api/v1/vilt-session-events?starts_at__gte=2030-01-01T00:00:00")

    # then
    _error(response, "starts_at__gte")


@pytest.mark.parametrize("size", [1, 6])
def test_vilt_session_event_list_runs_constant_queries(
    api_client, school, size, django_assert_num_queries
):
    # given
    event = IltMultiSessionEventFactory(school=school)
    for _ in range(size):
        IltSessionFactory(school=school)
        IltSessionFactory(school=school, lesson=None, multi_session_event=event)

    # when
    with django_assert_num_queries(VILT_LIST_QUERIES):
        response = api_client.get("/api/v1/vilt-session-events")

    # then
    assert response.json()["count"] == 2 * size


# --- the school calendar ---------------------------------------------------------------------


def test_school_events_merge_sessions_and_drip_releases_in_time_order(
    api_client, school, other_school
):
    # given
    now = timezone.now()
    course = CourseFactory(school=school)
    drip = LessonFactory(school=school, course=course, drip_release_at=now + timedelta(days=2))
    LessonFactory(school=school, course=course, drip_release_at=now - timedelta(days=2))
    session = IltSessionFactory(
        school=school, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )
    later = IltSessionFactory(school=school, starts_at=now + timedelta(days=3))
    IltSessionFactory(
        school=school, starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=23)
    )
    IltSessionFactory(school=other_school)

    # when
    first = api_client.get("/api/v1/school/events?page_size=2").json()
    second = api_client.get("/api/v1/school/events?page_size=2&page=2").json()

    # then
    assert first["count"] == 3
    assert [(r["kind"], r["id"]) for r in first["results"] + second["results"]] == [
        ("live_session", session.id),
        ("drip_release", drip.id),
        ("live_session", later.id),
    ]
    assert first["results"][1] == {
        "kind": "drip_release",
        "id": drip.id,
        "title": drip.title,
        "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "ends_at": None,
        "course_id": course.id,
        "lesson_id": drip.id,
        "updated_at": first["results"][1]["updated_at"],
    }
    assert first["results"][0]["lesson_id"] == session.lesson_id
    assert first["next"]
    assert second["next"] is None
    assert second["previous"]


def test_school_events_list_upcoming_assignment_due_dates(api_client, school, other_school):
    # given
    now = timezone.now()
    course = CourseFactory(school=school)
    due = LessonFactory(
        school=school, course=course, type=LessonType.ASSIGNMENT, due_at=now + timedelta(days=2)
    )
    LessonFactory(
        school=school, course=course, type=LessonType.ASSIGNMENT, due_at=now - timedelta(days=1)
    )
    LessonFactory(school=other_school, type=LessonType.ASSIGNMENT, due_at=now + timedelta(days=1))
    session = IltSessionFactory(
        school=school, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )

    # when
    response = api_client.get("/api/v1/school/events")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [(r["kind"], r["id"]) for r in body["results"]] == [
        ("live_session", session.id),
        ("assignment_due", due.id),
    ]
    assert body["results"][1] == {
        "kind": "assignment_due",
        "id": due.id,
        "title": due.title,
        "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "ends_at": None,
        "course_id": course.id,
        "lesson_id": due.id,
        "updated_at": body["results"][1]["updated_at"],
    }


def test_school_events_past_the_last_page_is_404(api_client):
    # when
    response = api_client.get("/api/v1/school/events?page=2")

    # then
    assert response.status_code == 404


def test_school_events_updated_since_lists_rows_changed_since_oldest_change_first(
    api_client, school
):
    # given upcoming sessions and drip releases made on the 1st, then changed one by one:
    # a session itself, a drip release's lesson, and the multi-session event of a part
    future = datetime(2030, 5, 1, 9, tzinfo=UTC)
    with freeze_time("2026-01-01T10:00:00Z"):
        course = CourseFactory(school=school)
        session = IltSessionFactory(
            school=school, starts_at=future, ends_at=future + timedelta(hours=1)
        )
        IltSessionFactory(
            school=school,
            starts_at=future + timedelta(days=1),
            ends_at=future + timedelta(days=1, hours=1),
        )
        drip = LessonFactory(school=school, course=course, drip_release_at=future)
        LessonFactory(school=school, course=course, drip_release_at=future)
        event = IltMultiSessionEventFactory(school=school)
        part = IltSessionFactory(
            school=school,
            lesson=None,
            multi_session_event=event,
            starts_at=future + timedelta(days=2),
            ends_at=future + timedelta(days=2, hours=1),
        )
    with freeze_time("2026-01-03T10:00:00Z"):
        live_services.ilt_session_update(session=session, display_name="Moved online")
    with freeze_time("2026-01-04T10:00:00Z"):
        lesson_services.lesson_update(lesson=drip, title="Released later")
    with freeze_time("2026-01-05T10:00:00Z"):
        live_services.multi_session_event_update(event=event, display_name="Renamed week")

    # when
    response = api_client.get("/api/v1/school/events", {"updated_since": "2026-01-02T00:00:00Z"})
    everything = api_client.get("/api/v1/school/events")

    # then
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [(row["id"], row["updated_at"]) for row in rows] == [
        (session.id, "2026-01-03T10:00:00.000000Z"),
        (drip.id, "2026-01-04T10:00:00.000000Z"),
        (part.id, "2026-01-05T10:00:00.000000Z"),
    ]
    assert response.json()["count"] == 3
    assert everything.json()["count"] == 5


@pytest.mark.parametrize("value", ["2026-01-02T00:00:00", "yesterday", "2026-02-30T00:00:00Z"])
def test_school_events_bad_updated_since_is_400_naming_it(api_client, value):
    # when
    response = api_client.get("/api/v1/school/events", {"updated_since": value})

    # then
    _error(response, "updated_since")


def test_school_events_empty_page_size_is_400_and_empty_page_404_as_on_every_list(api_client):
    # when
    size = api_client.get("/api/v1/school/events?page_size=")
    page = api_client.get("/api/v1/school/events?page=")

    # then
    _error(size, "page_size")
    assert page.status_code == 404
