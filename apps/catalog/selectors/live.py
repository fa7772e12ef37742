"""Reads of live training: sessions with their parents, and the school's upcoming calendar."""

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from django.db.models import CharField, DateTimeField, F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from icalendar import Calendar, Event, vCalAddress

from apps.catalog.models import IltSession, Lesson, LessonType
from apps.schools.models import School, Tag


def ilt_session_list(*, queryset: QuerySet[IltSession] | None = None) -> QuerySet[IltSession]:
    """Sessions with their lesson (their event's lesson for parts of an event), instructor
    and tags loaded, in start order."""
    queryset = IltSession.objects.all() if queryset is None else queryset
    return (
        queryset.select_related(
            "lesson", "multi_session_event__lesson", "instructor", "multi_session_event"
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(
            effective_lesson_id=Coalesce(F("lesson_id"), F("multi_session_event__lesson_id")),
            course_id=Coalesce(F("lesson__course_id"), F("multi_session_event__lesson__course_id")),
        )
        .order_by("starts_at", "id")
    )


# The columns of one row of the school calendar, in the order both halves select them.
CALENDAR_COLUMNS = (
    "kind",
    "item_id",
    "title",
    "starts_at",
    "ends_at",
    "course_id",
    "lesson_id",
    "changed_at",
)

# What each half selects for those columns (a field's own name cannot be annotated over).
_SESSION_COLUMNS = (
    "kind",
    "item_id",
    "title",
    "starts_at",
    "ends_at",
    "course_id",
    "lesson_ref",
    "changed_at",
)
_RELEASE_COLUMNS = (
    "kind",
    "item_id",
    "title",
    "starts",
    "ends",
    "course_id",
    "lesson_ref",
    "changed_at",
)


def school_calendar(
    *, school: School, since: datetime, changed_since: datetime | None = None
) -> QuerySet:
    """The school's upcoming events from ``since`` in time order, as rows of
    ``CALENDAR_COLUMNS``: live sessions starting then or later, lessons whose drip
    release date is then or later, and ASSIGNMENT lessons due then or later (``kind``
    ``live_session``, ``drip_release`` or ``assignment_due``).

    ``changed_at`` is when the row last changed: for a drip release, its lesson's
    ``updated_at`` (the lesson holds the title, the date and the course), the same for a
    due date; for a live
    session, the latest ``updated_at`` of the session, its multi-session event (which
    decides the lesson of its parts) and that lesson (which decides the course). With
    ``changed_since``, only rows changed then or later, oldest change first.
    """
    sessions = IltSession.objects.filter(school=school, starts_at__gte=since).annotate(
        kind=Value("live_session", output_field=CharField()),
        item_id=F("id"),
        title=F("display_name"),
        course_id=Coalesce(F("lesson__course_id"), F("multi_session_event__lesson__course_id")),
        lesson_ref=Coalesce(F("lesson_id"), F("multi_session_event__lesson_id")),
        # Every part is non-null: SQLite's MAX() of a NULL is NULL.
        changed_at=Greatest(
            F("updated_at"),
            Coalesce(F("multi_session_event__updated_at"), F("updated_at")),
            Coalesce(F("lesson__updated_at"), F("multi_session_event__lesson__updated_at")),
        ),
    )
    releases = Lesson.objects.filter(school=school, drip_release_at__gte=since).annotate(
        kind=Value("drip_release", output_field=CharField()),
        item_id=F("id"),
        starts=F("drip_release_at"),
        ends=Value(None, output_field=DateTimeField()),
        lesson_ref=F("id"),
        changed_at=F("updated_at"),
    )
    dues = Lesson.objects.filter(
        school=school, type=LessonType.ASSIGNMENT, due_at__gte=since
    ).annotate(
        kind=Value("assignment_due", output_field=CharField()),
        item_id=F("id"),
        starts=F("due_at"),
        ends=Value(None, output_field=DateTimeField()),
        lesson_ref=F("id"),
        changed_at=F("updated_at"),
    )
    if changed_since is not None:
        sessions = sessions.filter(changed_at__gte=changed_since)
        releases = releases.filter(changed_at__gte=changed_since)
        dues = dues.filter(changed_at__gte=changed_since)
    # SQLite refuses an ORDER BY inside a compound statement's parts: all are unordered.
    rows = (
        sessions.values_list(*_SESSION_COLUMNS)
        .order_by()
        .union(
            releases.values_list(*_RELEASE_COLUMNS).order_by(),
            dues.values_list(*_RELEASE_COLUMNS).order_by(),
            all=True,
        )
    )
    # A lesson may be both released and due at the same time: kind breaks the tie.
    if changed_since is not None:
        return rows.order_by("changed_at", "item_id", "kind")
    return rows.order_by("starts_at", "item_id", "kind")


def ilt_session_ics(session: IltSession) -> bytes:
    """The session as an RFC 5545 calendar with one event, times in the session's zone
    (its VTIMEZONE included), the instructor as organizer. The UID is the session's id
    whatever host served it, so a calendar that imports the file again updates the event."""
    zone = ZoneInfo(session.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Lyceum//Live training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{session.id}@lyceum")
    event.add("dtstamp", session.updated_at)
    event.add("sequence", int(session.updated_at.timestamp()))
    event.add("summary", session.display_name)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    if session.description:
        # Clients show DESCRIPTION as plain text; the sanitised HTML goes in X-ALT-DESC.
        event.add("description", html.unescape(nh3.clean(session.description, tags=set())))
        event.add("x-alt-desc", session.description, parameters={"FMTTYPE": "text/html"})
    if session.location:
        event.add("location", session.location)
    if session.event_link:
        event.add("url", session.event_link)
    organizer = vCalAddress(f"mailto:{session.instructor.email}")
    if session.instructor.name:
        organizer.params["cn"] = session.instructor.name
    event.add("organizer", organizer)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
