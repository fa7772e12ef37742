"""Admin of purchases: staff see every purchase of their school (filtered by date, offer
and state), fulfil or refund the selected ones through the purchase services (the API's
rules and events), and download the filtered list as a streamed CSV. Purchases are
created through the API only (the buyer's pricing runs there), and never deleted."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path

from apps.commerce.models import Purchase
from apps.commerce.services import purchases as purchase_services
from apps.core.admin import SchoolScopedAdmin
from apps.core.csv_stream import csv_response
from apps.core.errors import ApiError
from apps.core.money import format_amount
from apps.core.times import format_datetime

PURCHASE_CSV_COLUMNS = [
    "id",
    "order_id",
    "state",
    "purchased_at",
    "user_id",
    "email",
    "offer_id",
    "offer_sku",
    "currency_code",
    "offer_price",
    "price",
    "tax_price",
    "refund",
    "code_used",
    "payment_processor",
    "payment_processor_order_id",
    "fulfilled_at",
    "refunded_at",
]


def purchases_csv(queryset, filename: str = "purchases.csv") -> StreamingHttpResponse:
    """Stream ``queryset``'s purchases as CSV, oldest first, in batches."""
    rows = queryset.select_related("user", "offer").order_by("purchased_at", "id")

    def amount(cents: int | None, currency: str) -> str:
        return "" if cents is None else format_amount(cents, currency)

    def lines():
        for purchase in rows.iterator(chunk_size=2000):
            currency = purchase.currency_code
            yield [
                purchase.id,
                purchase.order_id,
                purchase.state,
                format_datetime(purchase.purchased_at),
                purchase.user_id,
                purchase.user.email,
                purchase.offer_id,
                purchase.offer.sku,
                currency,
                amount(purchase.offer_price_cents, currency),
                amount(purchase.price_cents, currency),
                amount(purchase.tax_price_cents, currency),
                amount(purchase.refund_cents, currency),
                purchase.code_used,
                purchase.payment_processor,
                purchase.payment_processor_order_id,
                format_datetime(purchase.fulfilled_at) or "",
                format_datetime(purchase.refunded_at) or "",
            ]

    return csv_response(PURCHASE_CSV_COLUMNS, lines(), filename)


@admin.register(Purchase)
class PurchaseAdmin(SchoolScopedAdmin):
    """Purchases, read-only; fulfil, refund and export act through the services."""

    list_display = ["id", "purchased_at", "user", "offer", "state", "price_display"]
    list_filter = ["purchased_at", "state", "offer", "currency_code"]
    list_select_related = ["user", "offer"]
    search_fields = ["id", "order_id", "user__email", "payment_processor_order_id"]
    date_hierarchy = "purchased_at"
    actions = ["fulfil_selected", "refund_selected", "export_csv"]
    readonly_fields = [
        field.name for field in Purchase._meta.concrete_fields if field.name != "school"
    ]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change page shows the purchase; every change is an action through a service.
        return False

    @admin.display(description="price", ordering="price_cents")
    def price_display(self, purchase: Purchase) -> str:
        currency = purchase.currency_code
        return f"{format_amount(purchase.price_cents, currency)} {currency}"

    def _each(self, request: HttpRequest, queryset, verb: str, act) -> None:
        done, refused = 0, []
        for purchase in queryset.select_related("school", "user", "offer"):
            try:
                act(purchase)
            except ApiError as exc:
                refused.append(f"{purchase.id}: {exc.detail}")
            else:
                done += 1
        if done:
            messages.success(request, f"{verb} {done} purchase(s).")
        for line in refused:
            messages.error(request, line)

    @admin.action(description="Fulfil the selected purchases (SUCCESS)")
    def fulfil_selected(self, request: HttpRequest, queryset) -> None:
        self._each(
            request,
            queryset,
            "Fulfilled",
            lambda p: purchase_services.purchase_fulfill(purchase=p, state="SUCCESS"),
        )

    @admin.action(description="Refund the selected purchases in full")
    def refund_selected(self, request: HttpRequest, queryset) -> None:
        self._each(
            request,
            queryset,
            "Refunded",
            lambda p: purchase_services.purchase_update(purchase=p, state="REFUNDED"),
        )

    @admin.action(description="Export the selected purchases (CSV)")
    def export_csv(self, request: HttpRequest, queryset) -> StreamingHttpResponse:
        return purchases_csv(queryset)

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_filtered_csv),
            name="commerce_purchase_export",
        )
        return [export, *super().get_urls()]

    def export_filtered_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The changelist's rows (its filters, search and date drill-down) as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return purchases_csv(changelist.get_queryset(request))
