"""Events of live-session registrations."""

from apps.core.event_schemas import NSTR, SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

REGISTRATION = obj(
    {
        "id": STR,
        "vilt_session": obj(
            {
                "id": STR,
                "display_name": STR,
                "starts_at": TIME,
                "ends_at": TIME,
                "multi_session_event_id": NSTR,
            }
        ),
        "enrollment_id": STR,
        "user": USER_REF,
        "course": obj({"id": STR, "title": STR}),
        "attended": {"type": ["boolean", "null"]},
        "created_at": TIME,
    }
)

VILT_REGISTRATION_CREATED = EventType(
    name="vilt.registration.created",
    alias="VILT_EVENT_REGISTRATION",
    description="An enrolled person was registered for a live session.",
    schema=REGISTRATION,
    sample={
        "id": "vsr_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "vilt_session": {
            "id": "ils_01jd8x4k2m7q9r3t5v6w8y0z1s",
            "display_name": "Forklift practice, morning",
            "starts_at": SAMPLE_TIME,
            "ends_at": "2026-01-15T11:00:00.000000Z",
            "multi_session_event_id": None,
        },
        "enrollment_id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "user": SAMPLE_USER_REF,
        "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
        "attended": None,
        "created_at": SAMPLE_TIME,
    },
)

EVENT_TYPES = (VILT_REGISTRATION_CREATED,)
