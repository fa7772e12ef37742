"""Admin of enrollments for a school's staff, split by area; every write goes through the
enrollments services (``SchoolScopedAdmin`` refuses Django's own saves and deletes)."""

from apps.enrollments.admin import (  # noqa: F401  (registers the admins)
    analytics,
    assignments,
    certificates,
    enrollments,
    live,
    progress,
    quizzes,
)
