"""Admin of payments: staff see every payment of their school (filtered by date and
currency) and open a payment's invoice; a payment without an invoice number gets the
school's next one when its invoice is first opened, as through the API. Payments are made
by fulfilled purchases only, and never changed or deleted here."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from apps.commerce.invoice_links import invoice_url
from apps.commerce.models import Payment
from apps.commerce.services import payments as payment_services
from apps.core.admin import SchoolScopedAdmin
from apps.core.money import format_amount


@admin.register(Payment)
class PaymentAdmin(SchoolScopedAdmin):
    """Payments, read-only; the invoice action numbers the selected ones."""

    list_display = ["id", "paid_at", "user", "amount_display", "invoice_number", "invoice"]
    list_filter = ["paid_at", "currency_code", "payment_processor"]
    list_select_related = ["user"]
    search_fields = ["id", "user__email", "purchase__id", "payment_processor_order_id"]
    date_hierarchy = "paid_at"
    actions = ["number_invoices"]
    readonly_fields = [
        field.name for field in Payment._meta.concrete_fields if field.name != "school"
    ]

    @admin.display(description="amount", ordering="amount_cents")
    def amount_display(self, payment: Payment) -> str:
        currency = payment.currency_code
        return f"{format_amount(payment.amount_cents, currency)} {currency}"

    @admin.display(description="invoice")
    def invoice(self, payment: Payment) -> str:
        # A signed link like the API's invoice-link, only once the payment has its number.
        if payment.invoice_number is None:
            return "—"
        url, _ = invoice_url(payment.id)
        return format_html('<a href="{}">HTML</a> · <a href="{}?format=pdf">PDF</a>', url, url)

    @admin.action(description="Give the selected payments their invoice numbers")
    def number_invoices(self, request: HttpRequest, queryset) -> None:
        numbered = [
            payment_services.payment_invoice_number(payment=payment).invoice_number
            for payment in queryset.order_by("paid_at", "id")
        ]
        self.message_user(request, f"{len(numbered)} payment(s) have their invoice number.")
