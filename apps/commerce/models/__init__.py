"""Who pays: offers (the price of a published course, a published path or a bundle).

A package split by subdomain; every model is importable from ``apps.commerce.models``.
"""

from apps.commerce.models.offers import OFFER_TARGETS, Offer

__all__ = ["OFFER_TARGETS", "Offer"]

from apps.commerce.models.subscriptions import (  # noqa: E402
    LIVE_STATUSES,
    OPEN_INSTALLMENT_STATUSES,
    Installment,
    InstallmentStatus,
    PlanInterval,
    SubscriptionGrant,
    SubscriptionPlan,
    SubscriptionStatus,
    UserSubscription,
)

__all__ += [
    "LIVE_STATUSES",
    "OPEN_INSTALLMENT_STATUSES",
    "Installment",
    "InstallmentStatus",
    "PlanInterval",
    "SubscriptionGrant",
    "SubscriptionPlan",
    "SubscriptionStatus",
    "UserSubscription",
]
