"""``offers`` (Skilljar v1): the price of a published course, a published path, a bundle
or a plan.

A price is written either as Skilljar's ``price {amount, currency_code}`` (a decimal string
in the currency's own decimals) or flat as ``price_cents`` + ``currency_code`` (integer minor
units); never both. Answers carry both forms.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.catalog.models import Bundle, PublishedCourse, PublishedPath
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import Offer, Plan
from apps.commerce.selectors import offers as offer_selectors
from apps.commerce.services import offers as offer_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.money import (
    CurrencyCodeField,
    MinorUnitsField,
    MoneyReadSerializer,
    MoneySerializer,
)
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import BooleanFilter, FilterSet
from apps.core.money import MAX_MINOR_UNITS, money


@extend_schema_field(MoneyReadSerializer)
class OfferPriceField(serializers.Field):
    """``{"amount": "100.00", "currency_code": "USD"}`` from the offer's two columns."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, offer: Offer) -> dict[str, str] | None:
        return money(offer.price_cents, offer.currency_code)


class OfferSerializer(ModelSerializer):
    """An offer: its one target (the other two ids null), its price in both forms, and the
    checkout page on the target's domain (null for a bundle, which has no domain)."""

    published_course_id = serializers.CharField(read_only=True, allow_null=True)
    published_path_id = serializers.CharField(read_only=True, allow_null=True)
    bundle_id = serializers.CharField(read_only=True, allow_null=True)
    plan_id = serializers.CharField(read_only=True, allow_null=True)
    registration_url = serializers.CharField(
        read_only=True, allow_null=True, help_text="https://{domain}/checkout/{id}; null: bundle."
    )
    price = OfferPriceField()
    price_cents = serializers.IntegerField(read_only=True, help_text="In minor units.")
    training_credit_value = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "published_course_id",
            "published_path_id",
            "bundle_id",
            "plan_id",
            "registration_open",
            "registration_url",
            "price",
            "price_cents",
            "currency_code",
            "sku",
            "description",
            "training_credit_value",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OfferWriteSerializer(Serializer):
    """An offer's input: one target on creation, and a price as ``price`` or as
    ``price_cents`` + ``currency_code``."""

    read_shape = OfferSerializer

    published_course_id = SchoolPrimaryKeyRelatedField(
        source="published_course",
        queryset=PublishedCourse.objects.all(),
        required=False,
        allow_null=True,
        help_text="A published course of the school (one target per offer).",
    )
    published_path_id = SchoolPrimaryKeyRelatedField(
        source="published_path",
        queryset=PublishedPath.objects.all(),
        required=False,
        allow_null=True,
        help_text="A published path of the school.",
    )
    bundle_id = SchoolPrimaryKeyRelatedField(
        source="bundle",
        queryset=Bundle.objects.all(),
        required=False,
        allow_null=True,
        help_text="A bundle of the school.",
    )
    plan_id = SchoolPrimaryKeyRelatedField(
        source="plan",
        queryset=Plan.objects.all(),
        required=False,
        allow_null=True,
        help_text="A plan of the school.",
    )
    price = MoneySerializer(
        required=False,
        help_text='{"amount": "100.00", "currency_code": "USD"}; or price_cents + currency_code.',
    )
    price_cents = MinorUnitsField(
        required=False,
        help_text=f"The price in the currency's minor units (0: free, at most {MAX_MINOR_UNITS}).",
    )
    currency_code = CurrencyCodeField(required=False)
    registration_open = serializers.BooleanField(
        required=False, help_text="Whether it can be bought now; default true."
    )
    sku = serializers.CharField(max_length=100, allow_blank=True, required=False)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    training_credit_value = serializers.IntegerField(
        min_value=0,
        max_value=2_000_000_000,
        allow_null=True,
        required=False,
        help_text="Whole training credits that buy it; null: not for credits.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        price = attrs.pop("price", None)
        if price is not None:
            # Both forms may come together (an offer sent back as it was read) if they agree.
            given = {"price_cents": price[0], "currency_code": price[1]}
            clash = [name for name, value in given.items() if attrs.get(name, value) != value]
            if clash:
                raise ValidationError(
                    {"price": [f"price and {' + '.join(clash)} disagree; give one form."]},
                    code=CommerceErrorCode.PRICE_AMBIGUOUS,
                )
            attrs.update(given)
        if not self.partial:
            missing = [name for name in ("price_cents", "currency_code") if name not in attrs]
            if missing:
                raise ValidationError(
                    {missing[0]: ["Give price, or price_cents and currency_code."]},
                    code=CommerceErrorCode.PRICE_REQUIRED,
                )
        return attrs


class OfferFilter(FilterSet):
    published_course_id = django_filters.CharFilter(
        field_name="published_course_id", help_text="A published course (pcr_ id)."
    )
    published_path_id = django_filters.CharFilter(
        field_name="published_path_id", help_text="A published path (ppt_ id)."
    )
    bundle_id = django_filters.CharFilter(field_name="bundle_id", help_text="A bundle (bnd_ id).")
    plan_id = django_filters.CharFilter(field_name="plan_id", help_text="A plan (pln_ id).")
    registration_open = BooleanFilter(field_name="registration_open")

    class Meta:
        model = Offer
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List offers", description="1000 per page, oldest first."),
    retrieve=extend_schema(summary="Get an offer"),
    create=extend_schema(
        summary="Put a price on a published course, published path, bundle or plan",
        request=OfferWriteSerializer,
        responses={201: OfferSerializer},
    ),
    update=extend_schema(
        summary="Update an offer (partial, as PATCH)",
        request=OfferWriteSerializer(partial=True),
        responses=OfferSerializer,
    ),
    partial_update=extend_schema(
        summary="Update an offer",
        request=OfferWriteSerializer(partial=True),
        responses=OfferSerializer,
    ),
)
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's offers (1000 per page): one per published course, path, bundle or
    plan."""

    queryset = Offer.objects.all()
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "offer_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return offer_selectors.offer_list(queryset=queryset)

    def _respond(self, offer: Offer, status_code: int = status.HTTP_200_OK) -> Response:
        offer = offer_selectors.offer_list(queryset=Offer.objects.filter(pk=offer.pk)).get()
        return Response(OfferSerializer(offer).data, status=status_code)

    def create(self, request) -> Response:
        serializer = OfferWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        offer = offer_services.offer_create(school=self.school, **serializer.validated_data)
        return self._respond(offer, status.HTTP_201_CREATED)

    def update(self, request, offer_id: str | None = None) -> Response:
        offer = self.get_object()
        serializer = OfferWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(offer_services.offer_update(offer=offer, **serializer.validated_data))

    def partial_update(self, request, offer_id: str | None = None) -> Response:
        return self.update(request, offer_id=offer_id)
