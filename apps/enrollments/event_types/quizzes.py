"""Events of quiz attempts: submitted, and graded (Skilljar's QUIZ_COMPLETION)."""

from apps.core.event_schemas import BOOL, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

NINT = nullable({"type": "integer"})
ATTEMPT = obj(
    {
        "id": STR,
        "quiz": obj({"id": STR, "name": STR}),
        "lesson": obj({"id": STR, "title": STR}),
        "course": obj({"id": STR, "title": STR}),
        "user": USER_REF,
        "number": {"type": "integer"},
        "status": {"type": "string", "enum": ["in_progress", "awaiting_grading", "graded"]},
        "started_at": TIME,
        "submitted_at": NTIME,
        "graded_at": NTIME,
        "timed_out": BOOL,
        "score": NINT,
        "max_score": NINT,
        "percentage": NINT,
        "passed": nullable({"type": "boolean"}),
        "success_status": nullable({"type": "string", "enum": ["PASSED", "FAILED"]}),
    }
)
SAMPLE_ATTEMPT = {
    "id": "qat_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "quiz": {"id": "qiz_01jd8x4k2m7q9r3t5v6w8y0z1s", "name": "Forklift basics"},
    "lesson": {"id": "les_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Check your knowledge"},
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "user": SAMPLE_USER_REF,
    "number": 1,
    "status": "graded",
    "started_at": SAMPLE_TIME,
    "submitted_at": SAMPLE_TIME,
    "graded_at": SAMPLE_TIME,
    "timed_out": False,
    "score": 4,
    "max_score": 5,
    "percentage": 80,
    "passed": True,
    "success_status": "PASSED",
}

QUIZ_ATTEMPT_SUBMITTED = EventType(
    name="quiz.attempt.submitted",
    description="A person submitted a quiz attempt (graded at once unless answers wait for "
    "a person; timed out when submitted after the time limit).",
    schema=ATTEMPT,
    sample={
        **SAMPLE_ATTEMPT,
        "status": "awaiting_grading",
        "graded_at": None,
        "score": None,
        "percentage": None,
        "passed": None,
        "success_status": None,
    },
)
QUIZ_ATTEMPT_GRADED = EventType(
    name="quiz.attempt.graded",
    alias="QUIZ_COMPLETION",
    description="A quiz attempt's grade is final: on submission, or when a person graded the "
    "last answer that waited (again when they change points).",
    schema=ATTEMPT,
    sample=SAMPLE_ATTEMPT,
)

EVENT_TYPES = (QUIZ_ATTEMPT_SUBMITTED, QUIZ_ATTEMPT_GRADED)
