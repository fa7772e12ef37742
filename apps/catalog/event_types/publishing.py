"""Events of publishing courses to domains."""

from apps.core.event_schemas import BOOL, STR, obj
from apps.core.event_types import EventType

PUBLISHED_COURSE = obj(
    {
        "id": STR,
        "domain": STR,
        "course": obj({"id": STR, "title": STR}),
        "slug": STR,
        "course_url": STR,
        "hidden": BOOL,
    }
)
SAMPLE_PUBLISHED_COURSE = {
    "id": "pcr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "domain": "learn.example.com",
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "slug": "forklift-safety",
    "course_url": "https://learn.example.com/forklift-safety",
    "hidden": False,
}

COURSE_PUBLISHED = EventType(
    name="course.published",
    description="A course was published on a domain (id: the published course's own id).",
    schema=PUBLISHED_COURSE,
    sample=SAMPLE_PUBLISHED_COURSE,
)
COURSE_UNPUBLISHED = EventType(
    name="course.unpublished",
    description="A course was taken off a domain; the data is the publication as it was.",
    schema=PUBLISHED_COURSE,
    sample=SAMPLE_PUBLISHED_COURSE,
)

EVENT_TYPES = (COURSE_PUBLISHED, COURSE_UNPUBLISHED)
