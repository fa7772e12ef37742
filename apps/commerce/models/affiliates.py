"""Affiliates (LearnWorlds): users of the school who refer buyers and earn a commission.

A lead is a person an affiliate referred (first referral wins: one affiliate per e-mail in
a school); a customer is a lead who bought. Each purchase a referred customer makes earns
the affiliate one ``AffiliateCommission`` (unique per purchase, so a purchase fulfilled
twice pays once), in the purchase's currency and minor units, payable after the
affiliate's hold period; a commission is upcoming until ``payable_at``, then due, then
completed once ``paid_at`` is set.
"""

from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User


class Affiliate(SchoolOwnedModel):
    """A user who earns ``commission_percent`` of what their referred customers pay."""

    id = PrefixedIdField(prefix="afl", primary_key=True)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    commission_percent = models.PositiveSmallIntegerField(default=20)
    hold_days = models.PositiveSmallIntegerField(default=30)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_percent__lte=100),
                name="commerce_affiliate_percent_lte_100",
            ),
        ]

    def __str__(self) -> str:
        return f"affiliate {self.user_id}"


class Lead(SchoolOwnedModel):
    """A person an affiliate referred, by e-mail (and account, once they have one)."""

    id = PrefixedIdField(prefix="led", primary_key=True)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="leads")
    email = models.EmailField(max_length=254)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint("school", Lower("email"), name="commerce_lead_email_ci"),
        ]

    def __str__(self) -> str:
        return self.email


class AffiliateCommission(SchoolOwnedModel):
    """What one purchase of a referred customer earns the affiliate (an affiliate payment)."""

    id = PrefixedIdField(prefix="acm", primary_key=True)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="commissions")
    customer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The purchase's id (``pur_…``), kept as given by the purchase that earned it (a
    # clawback's ``pur_…:refund``).
    purchase_id = models.CharField(max_length=48)
    # Negative on a clawback: the refund of a purchase whose commission was paid out.
    sale_cents = models.BigIntegerField()
    commission_cents = models.BigIntegerField()
    currency_code = models.CharField(max_length=3)
    earned_at = models.DateTimeField()
    payable_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    # Set when the purchase was refunded before the commission was paid: it is never paid.
    reversed_at = models.DateTimeField(null=True, blank=True)
    # The paid commission a clawback (a negative commission) takes back.
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="clawback"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "purchase_id"], name="commerce_commission_once"
            ),
        ]
        indexes = [
            *school_indexes("commerce_acm"),
            models.Index(fields=["affiliate", "paid_at", "payable_at"], name="commerce_acm_state"),
        ]

    def __str__(self) -> str:
        return f"{self.commission_cents} {self.currency_code} for {self.purchase_id}"
