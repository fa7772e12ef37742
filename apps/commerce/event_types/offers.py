"""Events of offers (the prices of published courses, published paths and bundles)."""

from apps.core.event_schemas import BOOL, NSTR, STR, nullable, obj
from apps.core.event_types import EventType

INT = {"type": "integer"}

OFFER = obj(
    {
        "id": STR,
        "published_course_id": NSTR,
        "published_path_id": NSTR,
        "bundle_id": NSTR,
        "plan_id": NSTR,
        "registration_open": BOOL,
        "registration_url": NSTR,
        "price": obj({"amount": STR, "currency_code": STR}),
        "price_cents": INT,
        "currency_code": STR,
        "sku": STR,
        "description": STR,
        "training_credit_value": nullable(INT),
    }
)
SAMPLE_OFFER = {
    "id": "ofr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "published_course_id": "pcr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "published_path_id": None,
    "bundle_id": None,
    "plan_id": None,
    "registration_open": True,
    "registration_url": "https://learn.example.com/checkout/ofr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "price": {"amount": "100.00", "currency_code": "USD"},
    "price_cents": 10000,
    "currency_code": "USD",
    "sku": "FORKLIFT-101",
    "description": "Forklift Safety, lifetime access",
    "training_credit_value": 2,
}

OFFER_CREATED = EventType(
    name="offer.created",
    description="A published course, published path or bundle was given a price.",
    schema=OFFER,
    sample=SAMPLE_OFFER,
)
OFFER_UPDATED = EventType(
    name="offer.updated",
    description="An offer's price, registration or description changed; the data is the "
    "offer as it is now.",
    schema=OFFER,
    sample=SAMPLE_OFFER,
)

EVENT_TYPES = (OFFER_CREATED, OFFER_UPDATED)
