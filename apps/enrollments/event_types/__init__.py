"""The events enrollments emit, declared by area (registered in ``EnrollmentsConfig.ready``)."""

from apps.enrollments.event_types import enrollments, quizzes

EVENT_TYPES = (*enrollments.EVENT_TYPES, *quizzes.EVENT_TYPES)
