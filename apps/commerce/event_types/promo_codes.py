"""Events of promo code pools and promo codes."""

from apps.core.event_schemas import BOOL, NSTR, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType

INT = {"type": "integer"}

POOL = obj(
    {
        "id": STR,
        "name": STR,
        "active": BOOL,
        "discount_type": STR,
        "percent_off": nullable(INT),
        "price_cents": nullable(INT),
        "currency_code": NSTR,
        "starts_at": TIME,
        "expires_at": NTIME,
        "expire_content": BOOL,
        "single_use_per_user": BOOL,
    }
)
SAMPLE_POOL = {
    "id": "pcp_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "name": "Spring sale",
    "active": True,
    "discount_type": "PERCENT_OFF",
    "percent_off": 20,
    "price_cents": None,
    "currency_code": None,
    "starts_at": SAMPLE_TIME,
    "expires_at": None,
    "expire_content": False,
    "single_use_per_user": True,
}
CODE = obj(
    {
        "id": STR,
        "promo_code_pool_id": STR,
        "code": STR,
        "max_uses": INT,
        "uses": INT,
        "active": BOOL,
    }
)
SAMPLE_CODE = {
    "id": "pco_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "promo_code_pool_id": "pcp_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "code": "SPRING-20",
    "max_uses": 30,
    "uses": 0,
    "active": True,
}

GENERATED = obj(
    {
        "job_id": STR,
        "promo_code_pool_id": STR,
        "count": INT,
        "max_uses": INT,
        "prefix": STR,
    }
)
SAMPLE_GENERATED = {
    "job_id": "job_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "promo_code_pool_id": "pcp_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "count": 1000,
    "max_uses": 1,
    "prefix": "SPRING-",
}

EVENT_TYPES = (
    EventType(
        name="promo_code_pool.created",
        description="A promo code pool (a discount, its window and offers) was created.",
        schema=POOL,
        sample=SAMPLE_POOL,
    ),
    EventType(
        name="promo_code_pool.updated",
        description="A pool's name, window or flags changed; the data is the pool as it is now.",
        schema=POOL,
        sample=SAMPLE_POOL,
    ),
    EventType(
        name="promo_code_pool.deleted",
        description="A pool was deleted, with its codes; the data is the pool as it was.",
        schema=POOL,
        sample=SAMPLE_POOL,
    ),
    EventType(
        name="promo_code.created",
        description="A promo code was created one by one (bulk generation emits "
        "promo_codes.generated instead).",
        schema=CODE,
        sample=SAMPLE_CODE,
    ),
    EventType(
        name="promo_code.updated",
        description="A promo code's text, limit or active flag changed.",
        schema=CODE,
        sample=SAMPLE_CODE,
    ),
    EventType(
        name="promo_codes.generated",
        description="A bulk generation finished: count codes were added to the pool (the "
        "job's result links their CSV).",
        schema=GENERATED,
        sample=SAMPLE_GENERATED,
    ),
)
