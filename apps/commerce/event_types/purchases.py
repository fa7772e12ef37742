"""Events of purchases and payments."""

from apps.core.event_schemas import NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType

INT = {"type": "integer"}
NINT = nullable(INT)
BOOL = {"type": "boolean"}
MONEY = obj({"amount": STR, "currency_code": STR})

PURCHASE = obj(
    {
        "id": STR,
        "user": obj({"id": STR, "email": STR, "first_name": STR, "last_name": STR}),
        "state": STR,
        "status_msg": STR,
        "purchased_at": TIME,
        "fulfilled_at": NTIME,
        "refunded_at": NTIME,
        "refund_cents": NINT,
        "payment_processor": STR,
        "order_id": STR,
        "price_cents": INT,
        "price": MONEY,
        "quantity": INT,
        "offer_id": STR,
        "offer_sku": STR,
        "offer_description": STR,
        "offer_price_cents": INT,
        "group_discount_percent": NINT,
        "code_used": nullable(STR),
        "promo_code_price_cents": NINT,
        "promo_code_percent_off": NINT,
        "promo_code_quantity": INT,
        "training_credits_used": NINT,
        "tax_price_cents": INT,
        "payment_processor_order_id": STR,
        "payment_processor_response_data": STR,
        "currency_code": STR,
        "pricing": {"type": "array", "items": {"type": "object"}},
    }
)
SAMPLE_PURCHASE = {
    "id": "pur_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "user": {
        "id": "usr_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "email": "jane@example.com",
        "first_name": "Jane",
        "last_name": "Doe",
    },
    "state": "SUCCESS",
    "status_msg": "",
    "purchased_at": SAMPLE_TIME,
    "fulfilled_at": SAMPLE_TIME,
    "refunded_at": None,
    "refund_cents": None,
    "payment_processor": "STRIPE",
    "order_id": "ORD-01JD8X4K2M7Q9R3T5V6W8Y0Z1S",
    "price_cents": 9000,
    "price": {"amount": "90.00", "currency_code": "USD"},
    "quantity": 1,
    "offer_id": "ofr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "offer_sku": "FORKLIFT-101",
    "offer_description": "Forklift Safety, lifetime access",
    "offer_price_cents": 10000,
    "group_discount_percent": 10,
    "code_used": None,
    "promo_code_price_cents": None,
    "promo_code_percent_off": None,
    "promo_code_quantity": 0,
    "training_credits_used": None,
    "tax_price_cents": 0,
    "payment_processor_order_id": "ch_3Nk2",
    "payment_processor_response_data": "",
    "currency_code": "USD",
    "pricing": [
        {
            "step": "group_discount",
            "before_cents": 10000,
            "after_cents": 9000,
            "discount_percent": 10,
        }
    ],
}

PAYMENT = obj(
    {
        "id": STR,
        "purchase_id": STR,
        "user_id": STR,
        "product": obj({"id": STR, "type": STR, "name": STR, "offer_id": STR}),
        "amount": MONEY,
        "amount_cents": INT,
        "tax_cents": INT,
        "currency_code": STR,
        "discount_cents": INT,
        "code_used": nullable(STR),
        "payment_processor": STR,
        "payment_processor_order_id": STR,
        "refunded": BOOL,
        "invoice_number": NINT,
        "paid_at": TIME,
    }
)
SAMPLE_PAYMENT = {
    "id": "pay_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "purchase_id": "pur_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "user_id": "usr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "product": {
        "id": "pcr_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "type": "published_course",
        "name": "Forklift Safety",
        "offer_id": "ofr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    },
    "amount": {"amount": "90.00", "currency_code": "USD"},
    "amount_cents": 9000,
    "tax_cents": 0,
    "currency_code": "USD",
    "discount_cents": 1000,
    "code_used": None,
    "payment_processor": "STRIPE",
    "payment_processor_order_id": "ch_3Nk2",
    "refunded": False,
    "invoice_number": None,
    "paid_at": SAMPLE_TIME,
}

PURCHASE_CREATED = EventType(
    name="purchase.created",
    description="A user started buying an offer; the purchase is PENDING at its server price.",
    schema=PURCHASE,
    sample={**SAMPLE_PURCHASE, "state": "PENDING", "fulfilled_at": None},
)
PURCHASE_FULFILLED = EventType(
    name="purchase.fulfilled",
    description="A purchase succeeded and what it bought was granted (once per purchase).",
    schema=PURCHASE,
    sample=SAMPLE_PURCHASE,
)
PURCHASE_REFUNDED = EventType(
    name="purchase.refunded",
    description="A fulfilled purchase was refunded and the access it granted was taken back.",
    schema=PURCHASE,
    sample={
        **SAMPLE_PURCHASE,
        "state": "REFUNDED",
        "refunded_at": SAMPLE_TIME,
        "refund_cents": 9000,
    },
)
PAYMENT_COMPLETED = EventType(
    name="payment.completed",
    description="A payment was successfully processed: a purchase with a price was fulfilled.",
    schema=PAYMENT,
    sample=SAMPLE_PAYMENT,
)

EVENT_TYPES = (PURCHASE_CREATED, PURCHASE_FULFILLED, PURCHASE_REFUNDED, PAYMENT_COMPLETED)
