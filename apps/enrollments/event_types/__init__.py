"""The events enrollments emit, declared by area (registered in ``EnrollmentsConfig.ready``)."""

from apps.enrollments.event_types import enrollments

EVENT_TYPES = enrollments.EVENT_TYPES
