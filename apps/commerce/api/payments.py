"""``payments`` (LearnWorlds): one per successful charge of a purchase, and the invoice link.

``GET payments/{id}/invoice-link`` gives the payment its invoice number on the first call
(the school's next, with no gaps) and answers ``{invoice_number, url, expires_at}``: ``url``
is a private link that expires (HTML; PDF with ``.pdf`` or ``?format=pdf``).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.commerce.invoice_links import invoice_url
from apps.commerce.models import Payment
from apps.commerce.selectors import payments as payment_selectors
from apps.commerce.services import payments as payment_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.money import MoneyReadSerializer
from apps.core.api.serializers import ModelSerializer
from apps.core.filters import FilterSet
from apps.core.money import money


class ProductSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True, help_text="The offer's target (pcr_, ppt_, bnd_).")
    type = serializers.CharField(read_only=True, help_text="published_course, published_path, …")
    name = serializers.CharField(read_only=True)
    offer_id = serializers.CharField(read_only=True)


@extend_schema_field(ProductSerializer)
class ProductField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, payment: Payment) -> dict[str, str]:
        return payment_services.payment_product(payment)


@extend_schema_field(MoneyReadSerializer)
class PaymentAmountField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, payment: Payment) -> dict[str, str] | None:
        return money(payment.amount_cents, payment.currency_code)


class PaymentSerializer(ModelSerializer):
    """A payment: what was bought, by whom, for how much; its invoice number once given."""

    purchase_id = serializers.CharField(read_only=True)
    user_id = serializers.CharField(read_only=True)
    product = ProductField()
    amount = PaymentAmountField()
    discount_cents = serializers.SerializerMethodField()
    code_used = serializers.CharField(source="purchase.code_used", read_only=True, allow_null=True)
    refunded = serializers.SerializerMethodField()
    invoice_number = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "purchase_id",
            "user_id",
            "product",
            "amount",
            "amount_cents",
            "tax_cents",
            "currency_code",
            "discount_cents",
            "code_used",
            "payment_processor",
            "payment_processor_order_id",
            "refunded",
            "invoice_number",
            "paid_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_discount_cents(self, payment: Payment) -> int:
        purchase = payment.purchase
        return max(purchase.offer_price_cents - purchase.price_cents, 0)

    def get_refunded(self, payment: Payment) -> bool:
        return payment.purchase.state == "REFUNDED"


class InvoiceLinkSerializer(serializers.Serializer):
    invoice_number = serializers.IntegerField(read_only=True, help_text="1, 2, … per school.")
    url = serializers.CharField(
        read_only=True, help_text="Private link to the invoice (HTML; .pdf or ?format=pdf: PDF)."
    )
    expires_at = serializers.DateTimeField(read_only=True)


class PaymentFilter(FilterSet):
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A user (usr_ id).")
    purchase_id = django_filters.CharFilter(field_name="purchase_id", help_text="pur_ id.")

    class Meta:
        model = Payment
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List payments", description="1000 per page, oldest first."),
    retrieve=extend_schema(summary="Get a payment"),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's payments (1000 per page), one per paid purchase."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "payment_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return payment_selectors.payment_list(queryset=queryset)

    @extend_schema(
        summary="The payment's invoice number and a private, expiring link to the invoice",
        description="The first call gives the payment the school's next invoice number (no "
        "gaps); later calls answer the same number with a fresh link.",
        responses=InvoiceLinkSerializer,
    )
    @action(detail=True, methods=["get"], url_path="invoice-link")
    def invoice_link(self, request, payment_id: str | None = None) -> Response:
        payment = payment_services.payment_invoice_number(payment=self.get_object())
        url, expires_at = invoice_url(payment.id)
        return Response(
            InvoiceLinkSerializer(
                {"invoice_number": payment.invoice_number, "url": url, "expires_at": expires_at}
            ).data
        )
