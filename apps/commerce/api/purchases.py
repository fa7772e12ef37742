"""``purchases`` (Skilljar v1): buying an offer, priced on the server, fulfilled once.

``POST`` creates a ``PENDING`` purchase at the price the server works out (the offer's
price, the buyer's group discount, a promo code, training credits); ``fulfill`` records
the payment's outcome and, on ``SUCCESS``, grants what the offer sells exactly once.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.commerce.models import Offer, Purchase
from apps.commerce.selectors import purchases as purchase_selectors
from apps.commerce.services import purchases as purchase_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.money import MinorUnitsField, MoneyReadSerializer
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.core.money import money
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.enrollments.models.purchase import PurchaseState
from apps.schools.models import User

S = PurchaseState


@extend_schema_field(MoneyReadSerializer)
class PurchasePriceField(serializers.Field):
    """``{"amount": "90.00", "currency_code": "USD"}``: the price to pay."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, purchase: Purchase) -> dict[str, str] | None:
        return money(purchase.price_cents, purchase.currency_code)


class PurchaseSerializer(ModelSerializer):
    """A purchase as Skilljar shows it; amounts in minor units of ``currency_code``."""

    user = UserRefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=S.choices, read_only=True)
    offer_id = serializers.CharField(read_only=True)
    offer_sku = serializers.CharField(source="offer.sku", read_only=True)
    offer_description = serializers.CharField(source="offer.description", read_only=True)
    price = PurchasePriceField()
    refund_cents = serializers.IntegerField(read_only=True, allow_null=True)
    group_discount_percent = serializers.IntegerField(read_only=True, allow_null=True)
    promo_code_price_cents = serializers.IntegerField(read_only=True, allow_null=True)
    promo_code_percent_off = serializers.IntegerField(read_only=True, allow_null=True)
    training_credits_used = serializers.IntegerField(read_only=True, allow_null=True)
    pricing = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="Each pricing step that changed the price: step, before_cents, after_cents "
        "and what it applied (discount_percent, …).",
    )

    class Meta:
        model = Purchase
        fields = [
            "id",
            "user",
            "state",
            "status_msg",
            "purchased_at",
            "fulfilled_at",
            "refunded_at",
            "refund_cents",
            "payment_processor",
            "order_id",
            "price_cents",
            "price",
            "quantity",
            "offer_id",
            "offer_sku",
            "offer_description",
            "offer_price_cents",
            "group_discount_percent",
            "code_used",
            "promo_code_price_cents",
            "promo_code_percent_off",
            "promo_code_quantity",
            "training_credits_used",
            "tax_price_cents",
            "payment_processor_order_id",
            "payment_processor_response_data",
            "currency_code",
            "pricing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PurchaseCreateSerializer(Serializer):
    """A purchase to start: which offer, for whom, and the codes the buyer gave."""

    read_shape = PurchaseSerializer

    offer_id = SchoolPrimaryKeyRelatedField(
        source="offer", queryset=Offer.objects.all(), help_text="An offer of the school."
    )
    user_id = SchoolPrimaryKeyRelatedField(
        source="user", queryset=User.objects.all(), help_text="The buyer, a user of the school."
    )
    promo_code = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="A promo code, as typed."
    )
    training_credit_code = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="A training-credit code."
    )


# The states a purchase may be set to (PUT/PATCH), and the outcomes fulfil takes.
UPDATE_STATES = [S.PENDING, S.SUCCESS, S.FAILED, S.REFUNDED, S.CANCELLED]
FULFIL_STATES = [S.SUCCESS, S.FAILED, S.CANCELLED]


class PurchaseUpdateSerializer(Serializer):
    """What may change on a purchase (PUT and PATCH are both partial)."""

    read_shape = PurchaseSerializer

    state = serializers.ChoiceField(
        choices=UPDATE_STATES,
        required=False,
        help_text="SUCCESS fulfils; REFUNDED refunds a fulfilled purchase and takes its "
        "access back.",
    )
    refunded_at = serializers.DateTimeField(required=False, allow_null=True)
    refund_cents = MinorUnitsField(
        required=False, allow_null=True, help_text="Default (also null): all that was paid."
    )
    price_cents = MinorUnitsField(required=False, help_text="Only before payment.")
    tax_price_cents = MinorUnitsField(required=False, help_text="Only before payment.")


class PurchaseFulfillSerializer(Serializer):
    """The payment's outcome, as the payment processor reported it."""

    read_shape = PurchaseSerializer

    state = serializers.ChoiceField(choices=FULFIL_STATES)
    error_msg = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Becomes status_msg."
    )
    payment_processor = serializers.CharField(max_length=50, required=False, allow_blank=True)
    payment_processor_order_id = serializers.CharField(
        max_length=255, required=False, allow_blank=True
    )
    payment_processor_response_data = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="For reference only; JSON text is recommended.",
    )


class PurchaseFilter(FilterSet):
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A user (usr_ id).")
    offer_id = django_filters.CharFilter(field_name="offer_id", help_text="An offer (ofr_ id).")
    state = ChoiceFilter(field_name="state", choices=S.choices)

    class Meta:
        model = Purchase
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List purchases", description="1000 per page, oldest first."),
    retrieve=extend_schema(summary="Get a purchase"),
    create=extend_schema(
        summary="Start a purchase of an offer, priced on the server",
        request=PurchaseCreateSerializer,
        responses={201: PurchaseSerializer},
    ),
    update=extend_schema(
        summary="Update a purchase (partial, as PATCH)",
        request=PurchaseUpdateSerializer,
        responses=PurchaseSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a purchase",
        request=PurchaseUpdateSerializer,
        responses=PurchaseSerializer,
    ),
)
class PurchaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's purchases (1000 per page)."""

    queryset = Purchase.objects.all()
    serializer_class = PurchaseSerializer
    filterset_class = PurchaseFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "purchase_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return purchase_selectors.purchase_list(queryset=queryset)

    def _respond(self, purchase: Purchase, status_code: int = status.HTTP_200_OK) -> Response:
        purchase = purchase_selectors.purchase_list(
            queryset=Purchase.objects.filter(pk=purchase.pk)
        ).get()
        return Response(PurchaseSerializer(purchase).data, status=status_code)

    def create(self, request) -> Response:
        serializer = PurchaseCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        purchase = purchase_services.purchase_create(
            school=self.school, **serializer.validated_data
        )
        return self._respond(purchase, status.HTTP_201_CREATED)

    def update(self, request, purchase_id: str | None = None) -> Response:
        purchase = self.get_object()
        serializer = PurchaseUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        # A purchase sent back as it was read changes nothing: only the fields whose value
        # differs are changes (null refund fields mean "the default").
        fields = {
            name: value
            for name, value in serializer.validated_data.items()
            if value != getattr(purchase, name)
            and not (value is None and name in ("refunded_at", "refund_cents"))
        }
        return self._respond(purchase_services.purchase_update(purchase=purchase, **fields))

    def partial_update(self, request, purchase_id: str | None = None) -> Response:
        return self.update(request, purchase_id=purchase_id)

    @extend_schema(
        summary="Fulfil a purchase: record the payment's outcome; SUCCESS grants, once",
        request=PurchaseFulfillSerializer,
        responses=PurchaseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="fulfill")
    def fulfill(self, request, purchase_id: str | None = None) -> Response:
        purchase = self.get_object()
        serializer = PurchaseFulfillSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._respond(
            purchase_services.purchase_fulfill(purchase=purchase, **serializer.validated_data)
        )
