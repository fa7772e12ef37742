"""The events the schools app emits, declared by area (registered in ``SchoolsConfig.ready``)."""

from apps.schools.event_types import domains, groups, invites, users

EVENT_TYPES = users.EVENT_TYPES + domains.EVENT_TYPES + groups.EVENT_TYPES + invites.EVENT_TYPES
