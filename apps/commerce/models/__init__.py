"""Who pays: offers (the price of a published course, a published path or a bundle).

A package split by subdomain; every model is importable from ``apps.commerce.models``.
"""

from apps.commerce.models.offers import OFFER_TARGETS, Offer
from apps.commerce.models.plans import Plan, PlanCourse, PlanCourseGrant, PlanEnrollment

__all__ = [
    "OFFER_TARGETS",
    "Offer",
    "Plan",
    "PlanCourse",
    "PlanCourseGrant",
    "PlanEnrollment",
]
from apps.commerce.models.payments import InvoiceCounter, Payment
from apps.commerce.models.purchases import Purchase

__all__ += ["Purchase"]
__all__ += ["InvoiceCounter", "Payment"]
