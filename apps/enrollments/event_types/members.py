"""Events of Coursepath's course and program members: a person removed from a course (with
their learning results there) or from a program."""

from apps.core.event_schemas import SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

_TARGET = obj({"id": STR, "title": STR})
_IDS = {"type": "array", "items": STR}

ENROLLMENT_REMOVED = EventType(
    name="enrollment.removed",
    description="A person was removed from a course: their enrollments in it (listed) and "
    "their course and lesson progress there were deleted.",
    schema=obj({"course": _TARGET, "user": USER_REF, "enrollment_ids": _IDS, "removed_at": TIME}),
    sample={
        "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
        "user": SAMPLE_USER_REF,
        "enrollment_ids": ["enr_01jd8x4k2m7q9r3t5v6w8y0z1s"],
        "removed_at": SAMPLE_TIME,
    },
)
PATH_ENROLLMENT_REMOVED = EventType(
    name="path.enrollment.removed",
    description="A person was removed from a program (path): their path enrollments "
    "(listed) and the course enrollments those granted were deleted; progress stays.",
    schema=obj({"path": _TARGET, "user": USER_REF, "enrollment_ids": _IDS, "removed_at": TIME}),
    sample={
        "path": {"id": "pth_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Warehouse Onboarding"},
        "user": SAMPLE_USER_REF,
        "enrollment_ids": ["pen_01jd8x4k2m7q9r3t5v6w8y0z1s"],
        "removed_at": SAMPLE_TIME,
    },
)

EVENT_TYPES = (ENROLLMENT_REMOVED, PATH_ENROLLMENT_REMOVED)
