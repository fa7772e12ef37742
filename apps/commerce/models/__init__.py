"""Who pays: offers (the price of a published course, a published path or a bundle).

A package split by subdomain; every model is importable from ``apps.commerce.models``.
"""

from apps.commerce.models.offers import OFFER_TARGETS, Offer
from apps.commerce.models.promo_codes import (
    DiscountType,
    PromoCode,
    PromoCodePool,
    PromoCodeRedemption,
)

__all__ = [
    "OFFER_TARGETS",
    "Offer",
    "DiscountType",
    "PromoCode",
    "PromoCodePool",
    "PromoCodeRedemption",
]
