"""The events commerce emits, declared by area (registered in ``CommerceConfig.ready``)."""

from apps.commerce.event_types import offers

EVENT_TYPES = offers.EVENT_TYPES

from apps.commerce.event_types import subscriptions  # noqa: E402

EVENT_TYPES += subscriptions.EVENT_TYPES
