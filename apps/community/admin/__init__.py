"""Admin of the community for a school's staff, split by area; every write goes through the
community services (``SchoolScopedAdmin`` refuses Django's own saves and deletes)."""

from apps.community.admin import cohorts, notifications, posts, spaces  # noqa: F401  (registers them)
