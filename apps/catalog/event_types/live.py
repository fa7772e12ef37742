"""Events of live training: ILT sessions and multi-session events (named after their
resources, ``ilt-sessions`` and ``ilt-multi-session-events``, as ``web_package.*`` is)."""

from apps.core.event_schemas import NSTR, SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType

NINT = {"type": ["integer", "null"]}

ILT_SESSION = obj(
    {
        "id": STR,
        "lesson_id": NSTR,
        "multi_session_event_id": NSTR,
        "display_name": STR,
        "starts_at": TIME,
        "ends_at": TIME,
        "timezone": STR,
        "provider": STR,
        "instructor_id": STR,
        "seats_total": NINT,
        "tags": {"type": "array", "items": STR},
    }
)
SAMPLE_ILT_SESSION = {
    "id": "ils_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "lesson_id": "les_01jd8x4k2m7q9r3t5v6w8y0z1t",
    "multi_session_event_id": None,
    "display_name": "Forklift practice, morning group",
    "starts_at": SAMPLE_TIME,
    "ends_at": "2026-01-15T12:00:00.000000Z",
    "timezone": "Europe/Berlin",
    "provider": "calendar",
    "instructor_id": "iin_01jd8x4k2m7q9r3t5v6w8y0z1v",
    "seats_total": 12,
    "tags": ["Warehouse"],
}
ILT_MULTI_SESSION_EVENT = obj(
    {"id": STR, "lesson_id": STR, "display_name": STR, "seats_total": NINT}
)
SAMPLE_ILT_MULTI_SESSION_EVENT = {
    "id": "ime_01jd8x4k2m7q9r3t5v6w8y0z1w",
    "lesson_id": SAMPLE_ILT_SESSION["lesson_id"],
    "display_name": "Forklift certification week",
    "seats_total": 20,
}

ILT_SESSION_CREATED = EventType(
    name="ilt_session.created",
    description="A live training session was scheduled (API or admin).",
    schema=ILT_SESSION,
    sample=SAMPLE_ILT_SESSION,
)
ILT_SESSION_UPDATED = EventType(
    name="ilt_session.updated",
    description="A live training session changed: its time, place, instructor, seats, tags "
    "or the lesson or multi-session event it belongs to.",
    schema=ILT_SESSION,
    sample=SAMPLE_ILT_SESSION,
)
ILT_MULTI_SESSION_EVENT_CREATED = EventType(
    name="ilt_multi_session_event.created",
    description="A multi-session event (sessions registered for as one) was created.",
    schema=ILT_MULTI_SESSION_EVENT,
    sample=SAMPLE_ILT_MULTI_SESSION_EVENT,
)
ILT_MULTI_SESSION_EVENT_UPDATED = EventType(
    name="ilt_multi_session_event.updated",
    description="A multi-session event's lesson, name or seats changed.",
    schema=ILT_MULTI_SESSION_EVENT,
    sample=SAMPLE_ILT_MULTI_SESSION_EVENT,
)

EVENT_TYPES = (
    ILT_SESSION_CREATED,
    ILT_SESSION_UPDATED,
    ILT_MULTI_SESSION_EVENT_CREATED,
    ILT_MULTI_SESSION_EVENT_UPDATED,
)
