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
    # Plans.
    PLAN_SLUG_TAKEN = "plan_slug_taken"
    PLAN_COURSE_EXISTS = "plan_course_exists"
    # Purchases
    CODE_NOT_SUPPORTED = "code_not_supported"
    OFFER_CLOSED = "offer_closed"
    PURCHASE_STATE_INVALID = "purchase_state_invalid"
    PURCHASE_REFUNDED = "purchase_refunded"
    PURCHASE_ALREADY_FULFILLED = "purchase_already_fulfilled"
    PURCHASE_NOT_FULFILLED = "purchase_not_fulfilled"
    REFUND_TOO_LARGE = "refund_too_large"
    FULFILMENT_NOT_SUPPORTED = "fulfilment_not_supported"
