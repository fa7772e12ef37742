"""Admin of the catalog for a school's staff, split by area; every write goes through the
catalog's services (``SchoolScopedAdmin`` refuses Django's own saves and deletes)."""

from apps.catalog.admin import (  # noqa: F401  (registers the admins)
    content,
    courses,
    live,
    publishing,
    quizzes,
)
