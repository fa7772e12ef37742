"""The events commerce emits, declared by area (registered in ``CommerceConfig.ready``)."""

from apps.commerce.event_types import offers, plans, promo_codes, purchases, subscriptions

EVENT_TYPES = (
    offers.EVENT_TYPES
    + plans.EVENT_TYPES
    + purchases.EVENT_TYPES
    + promo_codes.EVENT_TYPES
    + subscriptions.EVENT_TYPES
)
