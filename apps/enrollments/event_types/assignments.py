"""Events of assignment submissions: submitted (or replaced before grading), and graded."""

from apps.core.event_schemas import BOOL, NSTR, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

SUBMISSION = obj(
    {
        "id": STR,
        "lesson": obj({"id": STR, "title": STR}),
        "course": obj({"id": STR, "title": STR}),
        "user": USER_REF,
        "state": {"type": "string", "enum": ["SUBMITTED", "GRADED"]},
        "submitted_at": TIME,
        "late": BOOL,
        "has_text": BOOL,
        "file_name": NSTR,
        "size_bytes": nullable({"type": "integer"}),
        "grade": nullable({"type": "string", "enum": ["PASSED", "FAILED"]}),
        "score": nullable({"type": "integer"}),
        "graded_at": NTIME,
    }
)
SAMPLE_SUBMISSION = {
    "id": "asb_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "lesson": {"id": "les_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Write a safety plan"},
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "user": SAMPLE_USER_REF,
    "state": "GRADED",
    "submitted_at": SAMPLE_TIME,
    "late": False,
    "has_text": True,
    "file_name": "plan.pdf",
    "size_bytes": 48213,
    "grade": "PASSED",
    "score": 90,
    "graded_at": SAMPLE_TIME,
}

ASSIGNMENT_SUBMITTED = EventType(
    name="assignment.submitted",
    description="A person handed in an assignment (or replaced a hand-in not graded yet).",
    schema=SUBMISSION,
    sample={
        **SAMPLE_SUBMISSION,
        "state": "SUBMITTED",
        "grade": None,
        "score": None,
        "graded_at": None,
    },
)
ASSIGNMENT_GRADED = EventType(
    name="assignment.graded",
    description="A person graded an assignment submission PASSED (the lesson is complete) or "
    "FAILED (the learner may submit again).",
    schema=SUBMISSION,
    sample=SAMPLE_SUBMISSION,
)

EVENT_TYPES = (ASSIGNMENT_SUBMITTED, ASSIGNMENT_GRADED)
