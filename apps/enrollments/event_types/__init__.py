"""The events enrollments emit, declared by area (registered in ``EnrollmentsConfig.ready``)."""

from apps.enrollments.event_types import (
    assignments,
    certificates,
    enrollments,
    live,
    members,
    progress,
    quizzes,
)

EVENT_TYPES = (
    *enrollments.EVENT_TYPES,
    *live.EVENT_TYPES,
    *certificates.EVENT_TYPES,
    *quizzes.EVENT_TYPES,
    *progress.EVENT_TYPES,
    *members.EVENT_TYPES,
    *assignments.EVENT_TYPES,
)
