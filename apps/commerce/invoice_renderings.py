"""A payment's invoice as HTML (a Django template, autoescaped) and as a one-page PDF
(reportlab, with the fonts it ships, as certificates are drawn)."""

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from django.template.loader import render_to_string
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from apps.commerce.models import Payment
from apps.commerce.services.payments import payment_product
from apps.core.money import format_amount

FONTS = Path(reportlab.__file__).parent / "fonts"
WIDTH, HEIGHT = A4


@dataclass(frozen=True)
class InvoiceLine:
    label: str
    amount: str


@dataclass(frozen=True)
class Invoice:
    """What an invoice states, in display form."""

    number: int
    school_name: str
    issued_on: str
    paid_on: str
    buyer_name: str
    buyer_email: str
    product_name: str
    payment_id: str
    order_id: str
    currency_code: str
    lines: tuple[InvoiceLine, ...]
    total: str


def invoice_of(payment: Payment) -> Invoice:
    """The invoice of a payment that has its number."""
    purchase = payment.purchase
    currency = payment.currency_code

    def amount(cents: int) -> str:
        return f"{format_amount(cents, currency)} {currency}"

    lines = [InvoiceLine("Price", amount(purchase.offer_price_cents))]
    discount = purchase.offer_price_cents - purchase.price_cents
    if discount > 0:
        lines.append(InvoiceLine("Discount", f"-{amount(discount)}"))
    lines.append(InvoiceLine("Tax", amount(payment.tax_cents)))
    user = payment.user
    return Invoice(
        number=payment.invoice_number,
        school_name=payment.school.name,
        issued_on=payment.invoiced_at.date().isoformat(),
        paid_on=payment.paid_at.date().isoformat(),
        buyer_name=f"{user.first_name} {user.last_name}".strip(),
        buyer_email=user.email,
        product_name=payment_product(payment)["name"],
        payment_id=payment.id,
        order_id=purchase.order_id,
        currency_code=currency,
        lines=tuple(lines),
        total=amount(payment.amount_cents),
    )


def render_html(invoice: Invoice) -> str:
    """The invoice page (every value escaped by the template)."""
    return render_to_string("commerce/invoice.html", {"invoice": invoice})


@cache
def _pdf_fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("LyceumInvoice", str(FONTS / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("LyceumInvoiceBd", str(FONTS / "VeraBd.ttf")))
    return "LyceumInvoice", "LyceumInvoiceBd"


def render_pdf(invoice: Invoice) -> bytes:
    """The invoice as a one-page A4 PDF."""
    regular, bold = _pdf_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(f"Invoice {invoice.number}")
    y = HEIGHT - 72

    def text(value: str, *, size: float = 11, heavy: bool = False, x: float = 72) -> None:
        page.setFont(bold if heavy else regular, size)
        page.drawString(x, y, value[:90])

    text(invoice.school_name, size=16, heavy=True)
    y -= 28
    text(f"Invoice {invoice.number}", size=14, heavy=True)
    y -= 20
    for label, value in (
        ("Issued", invoice.issued_on),
        ("Paid", invoice.paid_on),
        ("Billed to", f"{invoice.buyer_name} <{invoice.buyer_email}>"),
        ("Order", invoice.order_id),
        ("Payment", invoice.payment_id),
    ):
        text(f"{label}: {value}")
        y -= 16
    y -= 12
    text(invoice.product_name, heavy=True)
    y -= 20
    for line in invoice.lines:
        text(line.label)
        page.drawRightString(WIDTH - 72, y, line.amount)
        y -= 16
    text("Total", heavy=True)
    page.setFont(bold, 11)
    page.drawRightString(WIDTH - 72, y, invoice.total)
    page.showPage()
    page.save()
    return buffer.getvalue()
