"""Who pays: offers, plans, purchases and payments, promo codes, training credit codes,
seats, affiliates and leads, subscriptions.

A package split by subdomain; every model is importable from ``apps.commerce.models``.
"""

from apps.commerce.models.affiliates import Affiliate, AffiliateCommission, Lead
from apps.commerce.models.credits import TrainingCreditCode, TrainingCreditSpend
from apps.commerce.models.offers import OFFER_TARGETS, Offer
from apps.commerce.models.payments import InvoiceCounter, Payment
from apps.commerce.models.plans import Plan, PlanCourse, PlanCourseGrant, PlanEnrollment
from apps.commerce.models.products import BundleEnrollment
from apps.commerce.models.promo_codes import (
    DiscountType,
    PromoCode,
    PromoCodePool,
    PromoCodeRedemption,
)
from apps.commerce.models.purchases import Purchase
from apps.commerce.models.seats import SeatAssignment, SeatOffering
from apps.commerce.models.subscriptions import (
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

__all__ = [
    "LIVE_STATUSES",
    "OFFER_TARGETS",
    "OPEN_INSTALLMENT_STATUSES",
    "Affiliate",
    "AffiliateCommission",
    "BundleEnrollment",
    "DiscountType",
    "Installment",
    "InstallmentStatus",
    "InvoiceCounter",
    "Lead",
    "Offer",
    "Payment",
    "Plan",
    "PlanCourse",
    "PlanCourseGrant",
    "PlanEnrollment",
    "PlanInterval",
    "PromoCode",
    "PromoCodePool",
    "PromoCodeRedemption",
    "Purchase",
    "SeatAssignment",
    "SeatOffering",
    "SubscriptionGrant",
    "SubscriptionPlan",
    "SubscriptionStatus",
    "TrainingCreditCode",
    "TrainingCreditSpend",
    "UserSubscription",
]
