"""Events of user subscriptions (subscribed, renewed, past due, cancelled)."""

from apps.core.event_schemas import BOOL, NSTR, STR, nullable, obj
from apps.core.event_types import EventType

INT = {"type": "integer"}

INSTALLMENT = obj(
    {
        "id": STR,
        "sequence": INT,
        "period_start": STR,
        "period_end": STR,
        "due_at": STR,
        "amount": obj({"amount": STR, "currency_code": STR}),
        "amount_cents": INT,
        "currency_code": STR,
        "status": STR,
        "payment_processor": STR,
        "processor_order_id": STR,
        "paid_at": NSTR,
    }
)
SUBSCRIPTION = obj(
    {
        "id": STR,
        "user": obj({"id": STR, "email": STR, "first_name": STR, "last_name": STR}),
        "plan": obj({"id": STR, "title": STR}),
        "status": STR,
        "current_period_start": STR,
        "current_period_end": STR,
        "trial_end": NSTR,
        "cancel_at_period_end": BOOL,
        "cancelled_at": NSTR,
        "payment_processor": STR,
        "installment": nullable(INSTALLMENT),
    }
)
SAMPLE_INSTALLMENT = {
    "id": "ins_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "sequence": 1,
    "period_start": "2026-02-15T10:00:00.000000Z",
    "period_end": "2026-03-15T10:00:00.000000Z",
    "due_at": "2026-02-15T10:00:00.000000Z",
    "amount": {"amount": "29.00", "currency_code": "USD"},
    "amount_cents": 2900,
    "currency_code": "USD",
    "status": "paid",
    "payment_processor": "manual",
    "processor_order_id": "bank-transfer-2026-0215",
    "paid_at": "2026-02-16T09:12:00.000000Z",
}
SAMPLE_SUBSCRIPTION = {
    "id": "sub_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "user": {
        "id": "usr_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
    },
    "plan": {"id": "spl_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "All courses, monthly"},
    "status": "active",
    "current_period_start": "2026-02-15T10:00:00.000000Z",
    "current_period_end": "2026-03-15T10:00:00.000000Z",
    "trial_end": None,
    "cancel_at_period_end": False,
    "cancelled_at": None,
    "payment_processor": "manual",
    "installment": SAMPLE_INSTALLMENT,
}

SUBSCRIPTION_CREATED = EventType(
    name="subscription.created",
    description="A user was subscribed to a plan (trialing or active); installment is null.",
    schema=SUBSCRIPTION,
    sample={**SAMPLE_SUBSCRIPTION, "installment": None},
)
SUBSCRIPTION_RENEWED = EventType(
    name="subscription.renewed",
    description="A period's installment was paid (by the processor at renewal, or recorded "
    "by hand) and the subscription is active for that period.",
    schema=SUBSCRIPTION,
    sample=SAMPLE_SUBSCRIPTION,
)
SUBSCRIPTION_PAST_DUE = EventType(
    name="subscription.past_due",
    description="A period ended and its installment is not paid (pending or failed); access "
    "continues for the grace period.",
    schema=SUBSCRIPTION,
    sample={
        **SAMPLE_SUBSCRIPTION,
        "status": "past_due",
        "installment": {**SAMPLE_INSTALLMENT, "status": "pending", "paid_at": None},
    },
)
SUBSCRIPTION_CANCELLED = EventType(
    name="subscription.cancelled",
    description="A subscription was cancelled (by request, at the end of its period, or "
    "unpaid after the grace period); the enrollments it granted expired.",
    schema=SUBSCRIPTION,
    sample={
        **SAMPLE_SUBSCRIPTION,
        "status": "cancelled",
        "cancelled_at": "2026-03-22T10:00:00.000000Z",
        "installment": None,
    },
)

EVENT_TYPES = (
    SUBSCRIPTION_CREATED,
    SUBSCRIPTION_RENEWED,
    SUBSCRIPTION_PAST_DUE,
    SUBSCRIPTION_CANCELLED,
)
