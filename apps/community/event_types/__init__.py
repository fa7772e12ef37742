"""The events the community emits, declared by area (registered in ``CommunityConfig.ready``)."""

from apps.community.event_types import cohorts, members, posts

EVENT_TYPES = members.EVENT_TYPES
EVENT_TYPES += cohorts.EVENT_TYPES
EVENT_TYPES += posts.EVENT_TYPES
