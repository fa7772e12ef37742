"""The ``purchase`` block an enrollment may carry (Skilljar's), stored in columns.

Money is integer minor units of ``purchase_currency_code`` (see ``apps.core.money``); the
wire format is ``{"amount": "5.00", "currency_code": "USD"}``. Commerce links its own
purchases through ``purchase_id``; an enrollment made elsewhere records what it was told.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models

from apps.core.money import money
from apps.core.times import format_datetime


class PurchaseState(models.TextChoices):
    CREATED = "CREATED", "Created"
    PENDING = "PENDING", "Pending"
    SUCCESS = "SUCCESS", "Success"
    FAILED = "FAILED", "Failed"
    REFUNDED = "REFUNDED", "Refunded"
    CANCELLED = "CANCELLED", "Cancelled"
    FLAGGED = "FLAGGED", "Flagged"


PURCHASE_COLUMNS = (
    "purchase_state",
    "purchase_order_id",
    "purchase_id",
    "purchase_currency_code",
    "purchase_offer_price_cents",
    "purchase_price_cents",
    "purchase_tax_price_cents",
    "purchase_quantity",
    "purchase_payment_processor",
    "purchased_at",
)


def purchase_block(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """The wire form of a purchase from its columns (a row or ``values()`` dict): Skilljar's
    block, or None when the enrollment has no purchase."""
    if not row["purchase_state"]:
        return None
    currency = row["purchase_currency_code"]
    return {
        "order_id": row["purchase_order_id"],
        "offer_price": money(row["purchase_offer_price_cents"], currency) if currency else None,
        "purchase_price": money(row["purchase_price_cents"], currency) if currency else None,
        "quantity": row["purchase_quantity"],
        "purchase_state": row["purchase_state"],
        "payment_processor": row["purchase_payment_processor"],
        "purchase_id": row["purchase_id"],
        "purchased_at": format_datetime(row["purchased_at"]),
        "tax_price_cents": row["purchase_tax_price_cents"],
    }


class PurchaseDetails(models.Model):
    """No purchase when ``purchase_state`` is empty."""

    purchase_state = models.CharField(
        max_length=20, choices=PurchaseState.choices, null=True, blank=True
    )
    purchase_order_id = models.CharField(max_length=255, blank=True, default="")
    purchase_id = models.CharField(max_length=64, blank=True, default="")
    purchase_currency_code = models.CharField(max_length=3, blank=True, default="")
    purchase_offer_price_cents = models.BigIntegerField(null=True, blank=True)
    purchase_price_cents = models.BigIntegerField(null=True, blank=True)
    purchase_tax_price_cents = models.BigIntegerField(default=0)
    purchase_quantity = models.PositiveIntegerField(default=1)
    purchase_payment_processor = models.CharField(max_length=50, blank=True, default="")
    purchased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def purchase_block(self) -> dict[str, Any] | None:
        """The wire form of this row's purchase, or None."""
        return purchase_block(self.__dict__)
