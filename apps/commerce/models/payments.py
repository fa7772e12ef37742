"""Payments (one per successful charge of a purchase) and their gapless invoice numbers.

A payment is written when a purchase with something to pay is fulfilled. Its invoice
number is given on the first request for its invoice (``payments/{id}/invoice-link``),
from the school's ``InvoiceCounter``: the counter row is locked (``select_for_update``) in
the transaction that writes the number, so numbers run 1, 2, 3 … per school with no gap and
no repeat, also under concurrency (a rolled-back transaction gives its number back).
"""

from django.conf import settings
from django.db import models

from apps.commerce.models.purchases import Purchase
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class Payment(SchoolOwnedModel):
    """The money received for one purchase; amounts in minor units of ``currency_code``."""

    id = PrefixedIdField(prefix="pay", primary_key=True)
    # PROTECT: an issued invoice must keep its purchase.
    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="payment")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    amount_cents = models.PositiveBigIntegerField()
    tax_cents = models.PositiveBigIntegerField(default=0)
    currency_code = models.CharField(max_length=3)
    payment_processor = models.CharField(max_length=50, blank=True, default="")
    payment_processor_order_id = models.CharField(max_length=255, blank=True, default="")
    paid_at = models.DateTimeField()
    invoice_number = models.PositiveIntegerField(null=True, blank=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "invoice_number"], name="commerce_pay_invoice_number"
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "user", "id"], name="commerce_pay_user"),
        ]

    def __str__(self) -> str:
        return self.id


class InvoiceCounter(SchoolOwnedModel):
    """The last invoice number a school gave; one row per school, locked to give the next."""

    id = PrefixedIdField(prefix="inc", primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["school"], name="commerce_invoice_counter_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.last_number}"
