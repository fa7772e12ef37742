"""The events commerce emits, declared by area (registered in ``CommerceConfig.ready``)."""

from apps.commerce.event_types import offers, promo_codes

EVENT_TYPES = offers.EVENT_TYPES + promo_codes.EVENT_TYPES
