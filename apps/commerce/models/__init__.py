"""Who pays: offers (the price of a published course, a published path or a bundle).

A package split by subdomain; every model is importable from ``apps.commerce.models``.
"""

from apps.commerce.models.affiliates import Affiliate, AffiliateCommission, Lead
from apps.commerce.models.credits import TrainingCreditCode, TrainingCreditSpend
from apps.commerce.models.offers import OFFER_TARGETS, Offer
from apps.commerce.models.plans import Plan, PlanCourse, PlanCourseGrant, PlanEnrollment
from apps.commerce.models.seats import SeatAssignment, SeatOffering

__all__ = [
    "OFFER_TARGETS",
    "Offer",
    "Plan",
    "PlanCourse",
    "PlanCourseGrant",
    "PlanEnrollment",
    "TrainingCreditCode",
    "TrainingCreditSpend",
    "SeatAssignment",
    "SeatOffering",
    "Affiliate",
    "AffiliateCommission",
    "Lead",
]
from apps.commerce.models.payments import InvoiceCounter, Payment
from apps.commerce.models.purchases import Purchase

__all__ += ["Purchase"]
__all__ += ["InvoiceCounter", "Payment"]
