"""Admin of commerce for a school's staff, split by area; every write goes through the
commerce services (``SchoolScopedAdmin`` refuses Django's own saves and deletes)."""

from apps.commerce.admin import (  # noqa: F401  (registers the admins)
    affiliates,
    credits,
    offers,
    payments,
    plans,
    promo_codes,
    purchases,
    seats,
    subscriptions,
)
