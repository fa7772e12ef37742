"""Error codes of the commerce app."""

from enum import StrEnum


class CommerceErrorCode(StrEnum):
    OFFER_TARGET_REQUIRED = "offer_target_required"
    OFFER_TARGET_FIXED = "offer_target_fixed"
    OFFER_EXISTS = "offer_exists"
    PRICE_AMBIGUOUS = "price_ambiguous"
    PRICE_REQUIRED = "price_required"
    # The service's own checks (the admin, callers in code); the API's fields answer
    # ``invalid_currency`` and ``invalid_amount`` (apps/core/api/money.py) first.
    INVALID_CURRENCY = "invalid_currency"
    INVALID_PRICE = "invalid_price"
    # Payment processors and subscriptions.
    UNKNOWN_PAYMENT_PROCESSOR = "unknown_payment_processor"
    INVALID_INTERVAL = "invalid_interval"
    PLAN_INACTIVE = "plan_inactive"
    SUBSCRIPTION_EXISTS = "subscription_exists"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    NO_PAYMENT_DUE = "no_payment_due"
