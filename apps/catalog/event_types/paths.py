"""Events of paths: a course joining a path."""

from apps.core.event_schemas import STR, obj
from apps.core.event_types import EventType

PATH_ITEM = obj(
    {
        "id": STR,
        "path": obj({"id": STR, "title": STR}),
        "course": obj({"id": STR, "title": STR}),
        "slug": STR,
        "order": {"type": "integer"},
    }
)
SAMPLE_PATH_ITEM = {
    "id": "pti_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "path": {"id": "pth_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Warehouse Safety"},
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "slug": "forklift-safety",
    "order": 2,
}

PATH_ITEM_CREATED = EventType(
    name="path.item.created",
    description="A course was added to a path (the people enrolled in the path get it).",
    schema=PATH_ITEM,
    sample=SAMPLE_PATH_ITEM,
)
PATH_ITEM_UPDATED = EventType(
    name="path.item.updated",
    description="A path item changed: moved, renamed, or another course put in its place "
    "(the people enrolled in the path get that course).",
    schema=PATH_ITEM,
    sample=SAMPLE_PATH_ITEM,
)

EVENT_TYPES = (PATH_ITEM_CREATED, PATH_ITEM_UPDATED)
