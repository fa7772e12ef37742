"""Events of courses and their lessons."""

from apps.core.event_schemas import STR, obj
from apps.core.event_types import EventType

INT = {"type": "integer"}

COURSE = obj(
    {
        "id": STR,
        "title": STR,
        "slug": STR,
        "short_description": STR,
        "labels": {"type": "array", "items": STR},
    }
)
SAMPLE_COURSE = {
    "id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "title": "Forklift Safety",
    "slug": "forklift-safety",
    "short_description": "Operate a forklift without hurting anyone.",
    "labels": ["Safety", "Warehouse"],
}
LESSON = obj({"id": STR, "course_id": STR, "type": STR, "order": INT, "title": STR})
SAMPLE_LESSON = {
    "id": "les_01jd8x4k2m7q9r3t5v6w8y0z1t",
    "course_id": SAMPLE_COURSE["id"],
    "type": "HTML",
    "order": 1,
    "title": "Before you start",
}

COURSE_CREATED = EventType(
    name="course.created",
    description="A course was created (API or admin).",
    schema=COURSE,
    sample=SAMPLE_COURSE,
)
COURSE_UPDATED = EventType(
    name="course.updated",
    description="A course's details or labels changed.",
    schema=COURSE,
    sample=SAMPLE_COURSE,
)
LESSON_CREATED = EventType(
    name="lesson.created",
    description="A lesson or section heading was added to a course.",
    schema=LESSON,
    sample=SAMPLE_LESSON,
)
LESSON_UPDATED = EventType(
    name="lesson.updated",
    description="A lesson changed, moved within its course, or moved to another course.",
    schema=LESSON,
    sample=SAMPLE_LESSON,
)

EVENT_TYPES = (COURSE_CREATED, COURSE_UPDATED, LESSON_CREATED, LESSON_UPDATED)
