"""The live training services: instructors from addresses, session rules, the calendar."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import IltInstructor, LessonType
from apps.catalog.selectors.live import school_calendar
from apps.catalog.services import live
from apps.core.errors import InvalidInput
from apps.core.times import is_time_zone
from tests.factories import (
    IltMultiSessionEventFactory,
    IltSessionFactory,
    LessonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada@example.com", ("", "ada@example.com")),
        ("Ada Lovelace <ada@EXAMPLE.com>", ("Ada Lovelace", "ada@example.com")),
        ('"Lovelace, Ada" <ada@example.com>', ("Lovelace, Ada", "ada@example.com")),
    ],
)
def test_instructor_email_is_parsed_as_an_address(value, expected):
    # when
    parsed = live.parse_instructor_email(value, provider="calendar")

    # then
    assert parsed == expected


@pytest.mark.parametrize(
    "value", ["", "Ada", "<>", "a@b.com, c@d.com", "a@b.com c@d.com", "ada\x00@example.com"]
)
def test_instructor_email_that_is_no_address_is_refused(value):
    # when / then
    with pytest.raises(InvalidInput) as refused:
        live.parse_instructor_email(value, provider="calendar")
    assert refused.value.field == "instructor_email"


def test_named_address_is_only_for_calendar_sessions():
    # when / then
    with pytest.raises(InvalidInput) as refused:
        live.parse_instructor_email("Ada <ada@example.com>", provider="zoom.webinar")
    assert refused.value.code == "calendar_provider_only"


def test_instructor_is_one_row_per_address_and_provider(school):
    # when
    first = live.instructor_record(
        school=school, instructor_email="ada@example.com", provider="calendar"
    )
    named = live.instructor_record(
        school=school, instructor_email="Ada L <ADA@example.com>", provider="calendar"
    )
    zoom = live.instructor_record(
        school=school, instructor_email="ada@example.com", provider="zoom.meeting"
    )

    # then
    assert first.pk == named.pk != zoom.pk
    assert IltInstructor.objects.get(pk=first.pk).name == "Ada L"


def test_instructors_of_two_schools_are_apart(school, other_school):
    # when
    mine = live.instructor_record(
        school=school, instructor_email="ada@example.com", provider="calendar"
    )
    theirs = live.instructor_record(
        school=other_school, instructor_email="ada@example.com", provider="calendar"
    )

    # then
    assert mine.pk != theirs.pk


def test_time_zones_are_canonical_names_and_links():
    # when / then
    for name in ("Europe/Paris", "America/Los_Angeles", "US/Pacific", "UTC"):
        assert is_time_zone(name)
    assert not is_time_zone("Mars/Olympus_Mons")
    assert not is_time_zone(42)


def _session_fields(**overrides) -> dict:
    start = timezone.now() + timedelta(days=2)
    fields = {
        "instructor_email": "ada@example.com",
        "display_name": "Live",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "timezone": "Europe/Paris",
    }
    fields.update(overrides)
    return fields


def test_session_of_another_schools_lesson_is_refused(school, other_school):
    # given
    foreign = LessonFactory(school=other_school, type=LessonType.LIVE_TRAINING)

    # when / then
    with pytest.raises(InvalidInput) as refused:
        live.ilt_session_create(school=school, lesson=foreign, **_session_fields())
    assert refused.value.field == "lesson"
    assert not IltInstructor.objects.exists()


def test_moving_a_part_out_of_its_event_to_a_lesson(school):
    # given
    event = IltMultiSessionEventFactory(school=school)
    part = IltSessionFactory(school=school, lesson=None, multi_session_event=event)
    lesson = LessonFactory(school=school, type=LessonType.LIVE_TRAINING)

    # when
    moved = live.ilt_session_update(session=part, lesson=lesson, seats_total=3, tags=["x"])

    # then
    assert (moved.lesson_id, moved.multi_session_event_id, moved.seats_total) == (
        lesson.pk,
        None,
        3,
    )
    assert [t.name for t in moved.tags.all()] == ["x"]


def test_moving_a_tagged_session_into_an_event_needs_its_tags_cleared(school):
    # given
    session = IltSessionFactory(school=school)
    live.ilt_session_update(session=session, tags=["onsite"])
    event = IltMultiSessionEventFactory(school=school)

    # when / then
    with pytest.raises(InvalidInput) as refused:
        live.ilt_session_update(session=session, multi_session_event=event)
    assert refused.value.field == "tags"
    moved = live.ilt_session_update(session=session, multi_session_event=event, tags=[])
    assert moved.multi_session_event_id == event.pk


def test_changing_the_provider_records_the_instructor_for_it(school):
    # given
    session = IltSessionFactory(school=school)

    # when
    updated = live.ilt_session_update(session=session, provider="zoom.meeting")

    # then
    assert updated.instructor.provider == "zoom.meeting"
    assert updated.instructor.email == session.instructor.email


def test_school_calendar_is_in_time_order_from_now(school):
    # given
    now = timezone.now()
    event = IltMultiSessionEventFactory(school=school)
    part = IltSessionFactory(
        school=school,
        lesson=None,
        multi_session_event=event,
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=6),
    )
    release = LessonFactory(school=school, drip_release_at=now + timedelta(hours=1))

    # when
    rows = list(school_calendar(school=school, since=now))

    # then
    assert [(row[0], row[1]) for row in rows] == [
        ("drip_release", release.pk),
        ("live_session", part.pk),
    ]
    assert rows[1][5:7] == (event.lesson.course_id, event.lesson_id)
