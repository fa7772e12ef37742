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
    # Training credit codes
    TRAINING_CREDIT_CODE_EXISTS = "training_credit_code_exists"
    STUDENT_GROUPS_REQUIRED = "student_groups_required"
    OFFERS_REQUIRED = "offers_required"
    CREDITS_BELOW_SPENT = "credits_below_spent"
    TRAINING_CREDIT_CODE_EXPIRED = "training_credit_code_expired"
    TRAINING_CREDITS_INSUFFICIENT = "training_credits_insufficient"
    OFFER_NOT_FOR_CREDITS = "offer_not_for_credits"
    TRAINING_CREDIT_OFFER_NOT_ELIGIBLE = "training_credit_offer_not_eligible"
    TRAINING_CREDIT_USER_NOT_ELIGIBLE = "training_credit_user_not_eligible"
    # Seats
    SEATS_FULL = "seats_full"
    SEATS_BELOW_USED = "seats_below_used"
    SEAT_TARGET_UNSUPPORTED = "seat_target_unsupported"
    # Affiliates
    AFFILIATE_OWN_PURCHASE = "affiliate_own_purchase"
    # Purchases
    OFFER_CLOSED = "offer_closed"
    PURCHASE_STATE_INVALID = "purchase_state_invalid"
    PURCHASE_REFUNDED = "purchase_refunded"
    PURCHASE_ALREADY_FULFILLED = "purchase_already_fulfilled"
    PURCHASE_NOT_FULFILLED = "purchase_not_fulfilled"
    REFUND_TOO_LARGE = "refund_too_large"
    FULFILMENT_NOT_SUPPORTED = "fulfilment_not_supported"
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
    # Payment processors and subscriptions.
    UNKNOWN_PAYMENT_PROCESSOR = "unknown_payment_processor"
    INVALID_INTERVAL = "invalid_interval"
    PLAN_INACTIVE = "plan_inactive"
    SUBSCRIPTION_EXISTS = "subscription_exists"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    NO_PAYMENT_DUE = "no_payment_due"
    # Products of a user (enroll, unenroll, users by product).
    PRODUCT_TYPE_INVALID = "product_type_invalid"
    PRODUCT_ID_REQUIRED = "product_id_required"
    PRODUCT_NOT_HELD = "product_not_held"
