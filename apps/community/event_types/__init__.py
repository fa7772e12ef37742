"""The events the community emits, declared by area (registered in ``CommunityConfig.ready``)."""

from apps.community.event_types import members

EVENT_TYPES = members.EVENT_TYPES
