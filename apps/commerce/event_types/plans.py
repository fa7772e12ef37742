"""Events of plan enrollments (a person enrolled in a plan, and through it in its courses)."""

from apps.core.event_schemas import STR, obj
from apps.core.event_types import EventType
from apps.enrollments.event_types.enrollments import _COMMON, _SAMPLE_COMMON

PLAN_ENROLLMENT = obj({**_COMMON, "plan": obj({"id": STR, "title": STR}), "domain": STR})
SAMPLE_PLAN_ENROLLMENT = {
    "id": "ple_01jd8x4k2m7q9r3t5v6w8y0z1s",
    **_SAMPLE_COMMON,
    "purchase": {
        "order_id": "",
        "offer_price": {"amount": "100.00", "currency_code": "USD"},
        "purchase_price": {"amount": "50.00", "currency_code": "USD"},
        "quantity": 1,
        "purchase_state": "SUCCESS",
        "payment_processor": "STRIPE",
        "purchase_id": "xxxxxxxxxxxx",
        "purchased_at": "2020-08-19T14:12:25.736506Z",
        "tax_price_cents": 0,
    },
    "plan": {"id": "pln_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "All Warehouse Courses"},
    "domain": "learn.example.com",
}

PLAN_ENROLLMENT_CREATED = EventType(
    name="plan.enrollment.created",
    description="A person was enrolled in a plan (each course it grants follows as "
    "enrollment.created).",
    schema=PLAN_ENROLLMENT,
    sample=SAMPLE_PLAN_ENROLLMENT,
)
PLAN_ENROLLMENT_UPDATED = EventType(
    name="plan.enrollment.updated",
    description="A plan enrollment's active flag or expiry changed (the course enrollments "
    "it granted follow, each as enrollment.updated).",
    schema=PLAN_ENROLLMENT,
    sample=SAMPLE_PLAN_ENROLLMENT,
)

EVENT_TYPES = (PLAN_ENROLLMENT_CREATED, PLAN_ENROLLMENT_UPDATED)
