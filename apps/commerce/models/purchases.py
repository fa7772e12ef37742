"""Purchases: one person buying one offer, priced on the server, fulfilled exactly once.

The columns are Skilljar's purchase object, money in integer minor units of
``currency_code``. ``state`` uses the enrollment ``purchase`` block's states
(``apps.enrollments.models.purchase.PurchaseState``), so the block an enrollment carries
is a copy of the purchase that granted it. ``pricing`` records each pricing step that
changed the price (``apps.commerce.services.pricing``), so a price can always be explained.
"""

from django.conf import settings
from django.db import models

from apps.commerce.models.offers import Offer
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.enrollments.models.purchase import PurchaseState


class Purchase(SchoolOwnedModel):
    """One offer bought by one of the school's users; amounts in minor units."""

    id = PrefixedIdField(prefix="pur", primary_key=True)
    # PROTECT: a purchase is a financial record; the offer and the buyer stay while it does.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="purchases")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases"
    )
    state = models.CharField(
        max_length=20, choices=PurchaseState.choices, default=PurchaseState.PENDING
    )
    quantity = models.PositiveIntegerField(default=1)
    currency_code = models.CharField(max_length=3)
    offer_price_cents = models.PositiveBigIntegerField()
    price_cents = models.PositiveBigIntegerField()
    tax_price_cents = models.PositiveBigIntegerField(default=0)
    refund_cents = models.PositiveBigIntegerField(null=True, blank=True)
    group_discount_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    # The promo code as the buyer typed it, and what it took off (Skilljar's columns).
    # Null when no code was used, or once the code's pool was deleted (as the seed says).
    code_used = models.CharField(max_length=100, null=True, blank=True, default=None)
    promo_code_price_cents = models.PositiveBigIntegerField(null=True, blank=True)
    promo_code_percent_off = models.PositiveSmallIntegerField(null=True, blank=True)
    promo_code_quantity = models.PositiveIntegerField(default=0)
    training_credit_code = models.CharField(max_length=100, blank=True, default="")
    training_credits_used = models.PositiveIntegerField(null=True, blank=True)
    pricing = models.JSONField(default=list, blank=True)
    order_id = models.CharField(max_length=64)
    payment_processor = models.CharField(max_length=50, blank=True, default="")
    payment_processor_order_id = models.CharField(max_length=255, blank=True, default="")
    payment_processor_response_data = models.TextField(max_length=20000, blank=True, default="")
    status_msg = models.TextField(max_length=2000, blank=True, default="")
    purchased_at = models.DateTimeField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "order_id"], name="commerce_pur_order_id"),
            models.CheckConstraint(
                condition=models.Q(currency_code__regex=r"^[A-Z]{3}$"),
                name="commerce_purchase_currency_code",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "user", "id"], name="commerce_pur_user"),
            models.Index(fields=["school", "offer", "id"], name="commerce_pur_offer"),
            models.Index(fields=["school", "state", "id"], name="commerce_pur_state"),
            models.Index(fields=["school", "purchased_at"], name="commerce_pur_at"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"
