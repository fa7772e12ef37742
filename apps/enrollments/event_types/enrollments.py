"""Events of enrollments in published courses and paths."""

from apps.core.event_schemas import BOOL, NSTR, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

MONEY = nullable(obj({"amount": STR, "currency_code": STR}))
PURCHASE = nullable(
    obj(
        {
            "order_id": STR,
            "offer_price": MONEY,
            "purchase_price": MONEY,
            "quantity": {"type": "integer"},
            "purchase_state": STR,
            "payment_processor": STR,
            "purchase_id": STR,
            "purchased_at": NTIME,
            "tax_price_cents": {"type": "integer"},
        }
    )
)
_COMMON = {
    "id": STR,
    "user": USER_REF,
    "enrolled_at": TIME,
    "expires_at": NTIME,
    "active": BOOL,
    "source": STR,
    "purchase": PURCHASE,
}
ENROLLMENT = obj(
    {
        **_COMMON,
        "course": obj({"id": STR, "title": STR}),
        "published_course_id": NSTR,
        "domain": NSTR,
        "path_enrollment_id": NSTR,
    }
)
PATH_ENROLLMENT = obj(
    {**_COMMON, "path": obj({"id": STR, "title": STR}), "published_path_id": NSTR, "domain": NSTR}
)
_SAMPLE_COMMON = {
    "user": SAMPLE_USER_REF,
    "enrolled_at": SAMPLE_TIME,
    "expires_at": None,
    "active": True,
    "source": "api",
    "purchase": None,
}
SAMPLE_ENROLLMENT = {
    "id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    **_SAMPLE_COMMON,
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "published_course_id": "pcr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "domain": "learn.example.com",
    "path_enrollment_id": None,
}
SAMPLE_PATH_ENROLLMENT = {
    "id": "pen_01jd8x4k2m7q9r3t5v6w8y0z1s",
    **_SAMPLE_COMMON,
    "path": {"id": "pth_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Warehouse Onboarding"},
    "published_path_id": "ppt_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "domain": "learn.example.com",
}

ENROLLMENT_CREATED = EventType(
    name="enrollment.created",
    alias="COURSE_ENROLLMENT",
    description="A person was enrolled in a course (directly, or through a path).",
    schema=ENROLLMENT,
    sample=SAMPLE_ENROLLMENT,
)
ENROLLMENT_UPDATED = EventType(
    name="enrollment.updated",
    description="An enrollment's active flag or expiry changed.",
    schema=ENROLLMENT,
    sample=SAMPLE_ENROLLMENT,
)
PATH_ENROLLMENT_CREATED = EventType(
    name="path.enrollment.created",
    alias="PATH_ENROLLMENT",
    description="A person was enrolled in a path (each of its courses follows as "
    "enrollment.created).",
    schema=PATH_ENROLLMENT,
    sample=SAMPLE_PATH_ENROLLMENT,
)
PATH_ENROLLMENT_UPDATED = EventType(
    name="path.enrollment.updated",
    description="A path enrollment's active flag or expiry changed (its course enrollments "
    "follow).",
    schema=PATH_ENROLLMENT,
    sample=SAMPLE_PATH_ENROLLMENT,
)

EVENT_TYPES = (
    ENROLLMENT_CREATED,
    ENROLLMENT_UPDATED,
    PATH_ENROLLMENT_CREATED,
    PATH_ENROLLMENT_UPDATED,
)
