"""Events of progress and completion: lessons, courses and paths.

``enrollment.completed`` is what certificates (and any integrator) subscribe to: its payload
is kept stable — ``{id, user, course {id, title}, completed_at, success_status,
enrollment_ids}``, ``id`` being the course progress's.
"""

from apps.core.event_schemas import NSTR, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
COURSE_REF = obj({"id": STR, "title": STR})
SUCCESS = nullable({"type": "string", "enum": ["PASSED", "FAILED"]})

LESSON_COMPLETION = obj(
    {
        "id": STR,
        "progress_token_id": NSTR,
        "user": USER_REF,
        "course": COURSE_REF,
        "lesson": obj({"id": STR, "title": STR, "type": STR}),
        "completed_at": TIME,
        "success_status": SUCCESS,
        "score": NINT,
        "max_score": NINT,
    }
)
COURSE_PROGRESS = obj(
    {
        "id": STR,
        "user": USER_REF,
        "course": COURSE_REF,
        "lessons_completed": INT,
        "total_lessons": INT,
        "required_lessons": INT,
        "required_lessons_completed": INT,
        "percent_complete": {"type": "number"},
        "completed_at": NTIME,
    }
)
COURSE_COMPLETION = obj(
    {
        "id": STR,
        "user": USER_REF,
        "course": COURSE_REF,
        "completed_at": TIME,
        "success_status": SUCCESS,
        "enrollment_ids": {"type": "array", "items": STR},
    }
)
PATH_COMPLETION = obj(
    {
        "id": STR,
        "user": USER_REF,
        "path": obj({"id": STR, "title": STR}),
        "completed_at": TIME,
    }
)

_COURSE = {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"}

LESSON_COMPLETED = EventType(
    name="lesson.completed",
    alias="LESSON_COMPLETION",
    description="A learner completed a lesson (again after it was un-completed, too).",
    schema=LESSON_COMPLETION,
    sample={
        "id": "lpg_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "progress_token_id": "ptk_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "user": SAMPLE_USER_REF,
        "course": _COURSE,
        "lesson": {"id": "les_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Loads", "type": "HTML"},
        "completed_at": SAMPLE_TIME,
        "success_status": "PASSED",
        "score": 9,
        "max_score": 10,
    },
)
ENROLLMENT_PROGRESS_UPDATED = EventType(
    name="enrollment.progress_updated",
    description="A learner's count of completed lessons in a course changed.",
    schema=COURSE_PROGRESS,
    sample={
        "id": "cpg_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "user": SAMPLE_USER_REF,
        "course": _COURSE,
        "lessons_completed": 3,
        "total_lessons": 4,
        "required_lessons": 3,
        "required_lessons_completed": 3,
        "percent_complete": 75.0,
        "completed_at": SAMPLE_TIME,
    },
)
ENROLLMENT_COMPLETED = EventType(
    name="enrollment.completed",
    alias="COURSE_COMPLETION",
    description="A learner completed a course (every required lesson, or marked complete). "
    "Sent once per completion; enrollment_ids are the learner's enrollments in the course.",
    schema=COURSE_COMPLETION,
    sample={
        "id": "cpg_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "user": SAMPLE_USER_REF,
        "course": _COURSE,
        "completed_at": SAMPLE_TIME,
        "success_status": "PASSED",
        "enrollment_ids": ["enr_01jd8x4k2m7q9r3t5v6w8y0z1s"],
    },
)
PATH_COMPLETED = EventType(
    name="path.completed",
    alias="PATH_COMPLETION",
    description="A learner completed every course of a path (one per path enrollment).",
    schema=PATH_COMPLETION,
    sample={
        "id": "pen_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "user": SAMPLE_USER_REF,
        "path": {"id": "pth_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Warehouse Onboarding"},
        "completed_at": SAMPLE_TIME,
    },
)

EVENT_TYPES = (LESSON_COMPLETED, ENROLLMENT_PROGRESS_UPDATED, ENROLLMENT_COMPLETED, PATH_COMPLETED)
