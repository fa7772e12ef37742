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
    # Promo codes.
    PROMO_DISCOUNT_FIXED = "promo_discount_fixed"
    PROMO_DISCOUNT_INVALID = "promo_discount_invalid"
    PROMO_WINDOW_INVALID = "promo_window_invalid"
    PROMO_CODE_EXISTS = "promo_code_exists"
    PROMO_CODE_INVALID = "promo_code_invalid"
    PROMO_POOL_OFFERS_TOO_MANY = "promo_pool_offers_too_many"
    # Why a code does not apply (``promo-codes/validate`` and the redemption service).
    CODE_NOT_FOUND = "code_not_found"
    CODE_INACTIVE = "code_inactive"
    CODE_NOT_STARTED = "code_not_started"
    CODE_EXPIRED = "code_expired"
    CODE_EXHAUSTED = "code_exhausted"
    CODE_NOT_FOR_OFFER = "code_not_for_offer"
    CODE_CURRENCY_MISMATCH = "code_currency_mismatch"
    CODE_ALREADY_USED = "code_already_used"
    PROMO_BULK_INVALID = "promo_bulk_invalid"
