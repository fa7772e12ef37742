"""The events commerce emits, declared by area (registered in ``CommerceConfig.ready``)."""

from apps.commerce.event_types import offers, plans

EVENT_TYPES = offers.EVENT_TYPES + plans.EVENT_TYPES
from apps.commerce.event_types import purchases  # noqa: E402

EVENT_TYPES += purchases.EVENT_TYPES
