"""Writes of payments: the invoice number of a payment, given once and without gaps.

``payment_invoice_number`` gives a payment the next number of its school's
``InvoiceCounter`` on first use: the payment row and the counter row are both locked
(``select_for_update``) in the transaction that writes the number, so concurrent first
calls queue on the counter and get 1, 2, 3 …; a call on a payment that has its number
answers it unchanged; a transaction that fails rolls its number back with it.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.commerce.models import InvoiceCounter, Payment
from apps.core.money import money
from apps.core.times import format_datetime


def payment_product(payment: Payment) -> dict[str, Any]:
    """What was bought: ``{"id", "type", "name"}`` of the offer's target."""
    offer = payment.purchase.offer
    target = offer.target
    names = {
        "published_course": lambda t: t.course.title,
        "published_path": lambda t: t.path.title,
        "bundle": lambda t: t.title,
    }
    name = names.get(offer.target_name, str)(target)
    return {"id": target.pk, "type": offer.target_name, "name": name, "offer_id": offer.id}


def payment_payload(payment: Payment) -> dict[str, Any]:
    """A payment as the API and ``payment.completed`` show it."""
    purchase = payment.purchase
    return {
        "id": payment.id,
        "purchase_id": payment.purchase_id,
        "user_id": payment.user_id,
        "product": payment_product(payment),
        "amount": money(payment.amount_cents, payment.currency_code),
        "amount_cents": payment.amount_cents,
        "tax_cents": payment.tax_cents,
        "currency_code": payment.currency_code,
        "discount_cents": max(purchase.offer_price_cents - purchase.price_cents, 0),
        "code_used": purchase.code_used,
        "payment_processor": payment.payment_processor,
        "payment_processor_order_id": payment.payment_processor_order_id,
        "refunded": purchase.state == "REFUNDED",
        "invoice_number": payment.invoice_number,
        "paid_at": format_datetime(payment.paid_at),
    }


@transaction.atomic
def payment_invoice_number(*, payment: Payment) -> Payment:
    """The payment with its invoice number: the school's next one on the first call, the
    same one on every later call."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.invoice_number is not None:
        return payment
    # get_or_create may race on the school's first invoice: the unique constraint lets one
    # insert win, and the loser's get finds it; the lock below then orders everyone.
    InvoiceCounter.objects.get_or_create(school_id=payment.school_id)
    counter = InvoiceCounter.objects.select_for_update().get(school_id=payment.school_id)
    counter.last_number += 1
    counter.save(update_fields=["last_number", "updated_at"])
    payment.invoice_number = counter.last_number
    payment.invoiced_at = timezone.now()
    payment.save(update_fields=["invoice_number", "invoiced_at", "updated_at"])
    return payment
