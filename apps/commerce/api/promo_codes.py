"""``promo-code-pools`` and ``promo-codes`` (Skilljar v1), with LearnWorlds' usage and a
validation endpoint: a discount shared by a pool's codes, on the pool's offers."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.commerce.api.offers import OfferSerializer
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import DiscountType, Offer, PromoCode, PromoCodePool
from apps.commerce.models.promo_codes import CODE_PATTERN
from apps.commerce.selectors import promo_codes as promo_selectors
from apps.commerce.services import promo_code_bulk as bulk_services
from apps.commerce.services import promo_codes as promo_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.money import CurrencyCodeField, MinorUnitsField, MoneyReadSerializer
from apps.core.api.responses import job_accepted
from apps.core.api.serializers import JobSerializer, ModelSerializer, Serializer
from apps.core.errors import InvalidInput, NotFound
from apps.core.filters import BooleanFilter, FilterSet
from apps.core.throttling import check_credential_rate
from apps.schools.models import User

# --- pools -----------------------------------------------------------------------------------


class PromoCodePoolSerializer(ModelSerializer):
    """A pool: its fixed discount, its window and flags."""

    percent_off = serializers.IntegerField(read_only=True, allow_null=True)
    price_cents = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="PRICE_OVERRIDE: the new price (minor units)."
    )
    currency_code = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = PromoCodePool
        fields = [
            "id",
            "name",
            "active",
            "discount_type",
            "percent_off",
            "price_cents",
            "currency_code",
            "starts_at",
            "expires_at",
            "expire_content",
            "single_use_per_user",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: PromoCodePool) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["currency_code"] = instance.currency_code or None
        return data


class PromoCodePoolWriteSerializer(Serializer):
    """A pool's input; the discount is given on creation only (the same values again are
    accepted on update)."""

    read_shape = PromoCodePoolSerializer

    name = serializers.CharField(max_length=200)
    active = serializers.BooleanField(required=False)
    discount_type = serializers.ChoiceField(choices=DiscountType.choices)
    percent_off = serializers.IntegerField(
        min_value=1, max_value=100, required=False, allow_null=True, help_text="PERCENT_OFF: 1-100."
    )
    price_cents = MinorUnitsField(
        required=False, allow_null=True, help_text="PRICE_OVERRIDE: the new price (minor units)."
    )
    currency_code = CurrencyCodeField(
        required=False, allow_null=True, help_text="PRICE_OVERRIDE: the new price's currency."
    )
    starts_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    expire_content = serializers.BooleanField(required=False)
    single_use_per_user = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("currency_code", "") is None:
            attrs["currency_code"] = ""
        if self.partial:
            return attrs
        kind = attrs["discount_type"]
        if kind == DiscountType.PERCENT_OFF and attrs.get("percent_off") is None:
            raise ValidationError(
                {"percent_off": ["PERCENT_OFF pools need percent_off (1-100)."]},
                code=CommerceErrorCode.PROMO_DISCOUNT_INVALID,
            )
        if kind == DiscountType.PRICE_OVERRIDE:
            for name in ("price_cents", "currency_code"):
                if attrs.get(name) in (None, ""):
                    raise ValidationError(
                        {name: ["PRICE_OVERRIDE pools need price_cents and currency_code."]},
                        code=CommerceErrorCode.PROMO_DISCOUNT_INVALID,
                    )
        return attrs


class PromoCodesBulkSerializer(Serializer):
    count = serializers.IntegerField(
        min_value=1, max_value=bulk_services.MAX_COUNT, help_text="How many codes, 1-1,000,000."
    )
    max_uses = serializers.IntegerField(
        min_value=1, max_value=promo_services.MAX_USES_LIMIT, help_text="Uses per code."
    )
    prefix = serializers.RegexField(
        bulk_services.PREFIX_PATTERN,
        required=False,
        allow_blank=True,
        default="",
        help_text="Put before every code (letters, digits, '-', '_', '.').",
    )
    length = serializers.IntegerField(
        min_value=bulk_services.MIN_LENGTH,
        max_value=bulk_services.MAX_LENGTH,
        required=False,
        default=bulk_services.DEFAULT_LENGTH,
        help_text="Random characters after the prefix (default 10).",
    )


class PromoCodePoolFilter(FilterSet):
    offer_id = django_filters.CharFilter(
        field_name="offers__id", distinct=True, help_text="Pools that apply to this offer."
    )
    name = django_filters.CharFilter(field_name="name", help_text="Exact name.")

    class Meta:
        model = PromoCodePool
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List promo code pools", description="1000 per page."),
    retrieve=extend_schema(summary="Get a promo code pool"),
    create=extend_schema(
        summary="Create a promo code pool",
        request=PromoCodePoolWriteSerializer,
        responses={201: PromoCodePoolSerializer},
    ),
    update=extend_schema(
        summary="Update a promo code pool (partial, as PATCH)",
        request=PromoCodePoolWriteSerializer(partial=True),
        responses=PromoCodePoolSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a promo code pool",
        request=PromoCodePoolWriteSerializer(partial=True),
        responses=PromoCodePoolSerializer,
    ),
    destroy=extend_schema(summary="Delete a promo code pool and its codes"),
)
class PromoCodePoolViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """The school's promo code pools (1000 per page)."""

    queryset = PromoCodePool.objects.all()
    serializer_class = PromoCodePoolSerializer
    filterset_class = PromoCodePoolFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "promo_code_pool_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return promo_selectors.promo_code_pool_list(queryset=queryset)

    def create(self, request) -> Response:
        serializer = PromoCodePoolWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        pool = promo_services.promo_code_pool_create(
            school=self.school, **serializer.validated_data
        )
        return Response(PromoCodePoolSerializer(pool).data, status=status.HTTP_201_CREATED)

    def update(self, request, promo_code_pool_id: str | None = None) -> Response:
        pool = self.get_object()
        serializer = PromoCodePoolWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        pool = promo_services.promo_code_pool_update(pool=pool, **serializer.validated_data)
        return Response(PromoCodePoolSerializer(pool).data)

    def partial_update(self, request, promo_code_pool_id: str | None = None) -> Response:
        return self.update(request, promo_code_pool_id=promo_code_pool_id)

    def perform_destroy(self, instance: PromoCodePool) -> None:
        promo_services.promo_code_pool_delete(pool=instance)

    @extend_schema(
        summary="Generate promo codes in bulk",
        description=(
            "202 with a job (`Location`: `/api/v1/jobs/{id}`): `count` random codes (1 to "
            "1,000,000) of `prefix` + `length` characters without look-alikes, each usable "
            "`max_uses` times. The finished job's result links a CSV of them."
        ),
        request=PromoCodesBulkSerializer,
        responses={202: JobSerializer},
    )
    @action(detail=True, methods=["post"], url_path="promo-codes-bulk")
    def promo_codes_bulk(self, request, promo_code_pool_id: str | None = None) -> Response:
        pool = self.get_object()
        serializer = PromoCodesBulkSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        job = bulk_services.promo_codes_bulk_create(
            pool=pool, credential=self.credential, **serializer.validated_data
        )
        return job_accepted(request, job)


# --- a pool's offers -------------------------------------------------------------------------


class PoolOfferRefSerializer(Serializer):
    id = serializers.CharField(help_text="An offer of the school (ofr_ id).")


@extend_schema_view(
    list=extend_schema(
        summary="List the offers of a promo code pool", description="1000 per page."
    ),
    create=extend_schema(
        summary="Attach offers to a promo code pool",
        description=(
            'One `{"id": …}` or an array of them, at most 500 per call; all or nothing. '
            "Answers what was sent, as offers (an object or an array)."
        ),
        request=PoolOfferRefSerializer,
        responses={201: OfferSerializer},
    ),
)
class PromoCodePoolOfferViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """``promo-code-pools/{id}/offers``: the offers a pool's codes apply to."""

    queryset = Offer.objects.all()
    serializer_class = OfferSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = 1000
    max_page_size = 1000
    pool = Parent(
        PromoCodePool.objects.all(),
        url_kwarg="promo_code_pool_id",
        relation="promo_code_pools",
        detail="No such promo code pool.",
    )

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(
            "published_course__domain", "published_path__domain", "bundle"
        )

    def create(self, request, promo_code_pool_id: str | None = None) -> Response:
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if len(items) > promo_services.POOL_OFFERS_PER_CALL:
            raise InvalidInput(
                f"At most {promo_services.POOL_OFFERS_PER_CALL} offers per call "
                f"({len(items)} given).",
                code=CommerceErrorCode.PROMO_POOL_OFFERS_TOO_MANY,
            )
        # One object is validated as one (its errors name its fields), an array item by item.
        serializer = PoolOfferRefSerializer(
            data=request.data, many=many, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data if many else [serializer.validated_data]
        ids = list(dict.fromkeys(item["id"] for item in rows))
        found = {
            offer.pk: offer
            for offer in Offer.objects.filter(school=self.school, pk__in=ids).select_related(
                "published_course__domain", "published_path__domain", "bundle"
            )
        }
        missing = [offer_id for offer_id in ids if offer_id not in found]
        if missing:
            raise InvalidInput(
                f"Offer {missing[0]} does not exist.", code="does_not_exist", field="id"
            )
        offers = promo_services.promo_code_pool_offers_add(
            pool=self.pool, offers=[found[offer_id] for offer_id in ids]
        )
        data = OfferSerializer(offers, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


# --- codes -----------------------------------------------------------------------------------


class PromoCodeSerializer(ModelSerializer):
    """A code: its text, pool, limit, uses so far and whether it is active."""

    promo_code_pool_id = serializers.CharField(source="pool_id", read_only=True)

    class Meta:
        model = PromoCode
        fields = [
            "id",
            "promo_code_pool_id",
            "code",
            "max_uses",
            "uses",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PromoCodeWriteSerializer(Serializer):
    """A code's input; the pool is fixed once the code exists."""

    read_shape = PromoCodeSerializer

    promo_code_pool_id = SchoolPrimaryKeyRelatedField(
        source="pool", queryset=PromoCodePool.objects.all(), help_text="A pool of the school."
    )
    code = serializers.RegexField(
        CODE_PATTERN,
        max_length=100,
        help_text="Unique in the school, case-sensitive; letters, digits, '-', '_', '.'.",
    )
    max_uses = serializers.IntegerField(min_value=1, max_value=promo_services.MAX_USES_LIMIT)
    active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial and "pool" in attrs:
            instance = self.context.get("promo_code")
            if instance is not None and attrs["pool"].pk != instance.pool_id:
                raise ValidationError(
                    {"promo_code_pool_id": ["A code keeps its pool."]},
                    code=CommerceErrorCode.PROMO_CODE_INVALID,
                )
            attrs.pop("pool")
        return attrs


class PromoCodeFilter(FilterSet):
    promo_code_pool_id = django_filters.CharFilter(
        field_name="pool_id", help_text="Codes of this pool."
    )
    code = django_filters.CharFilter(field_name="code", help_text="Exact code, case-sensitive.")
    active = BooleanFilter(field_name="active")

    class Meta:
        model = PromoCode
        fields: list[str] = []


class PromoCodeUserSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    uses = serializers.IntegerField(read_only=True)


class PromoCodeUsageSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    promo_code_pool_id = serializers.CharField(read_only=True)
    uses = serializers.IntegerField(read_only=True)
    max_uses = serializers.IntegerField(read_only=True)
    remaining = serializers.IntegerField(read_only=True)
    purchases = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The purchases that used it."
    )
    users = PromoCodeUserSerializer(many=True, read_only=True)


class PromoCodeValidateSerializer(Serializer):
    code = serializers.CharField(max_length=100)
    offer_id = SchoolPrimaryKeyRelatedField(
        source="offer", queryset=Offer.objects.all(), help_text="The offer to price."
    )
    user_id = SchoolPrimaryKeyRelatedField(
        source="user",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="Whose purchase (for single-use-per-user pools).",
    )


class PromoCodeValidationSerializer(Serializer):
    valid = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(
        read_only=True, allow_null=True, help_text="code_expired, code_inactive, …; null: valid."
    )
    detail = serializers.CharField(read_only=True)
    original_price = MoneyReadSerializer(read_only=True)
    original_price_cents = serializers.IntegerField(read_only=True)
    price = MoneyReadSerializer(read_only=True, allow_null=True)
    price_cents = serializers.IntegerField(read_only=True, allow_null=True)
    discount_cents = serializers.IntegerField(read_only=True, allow_null=True)
    currency_code = serializers.CharField(read_only=True)


@extend_schema_view(
    list=extend_schema(summary="List promo codes", description="1000 per page."),
    retrieve=extend_schema(summary="Get a promo code"),
    create=extend_schema(
        summary="Create a promo code in a pool",
        request=PromoCodeWriteSerializer,
        responses={201: PromoCodeSerializer},
    ),
    update=extend_schema(
        summary="Update a promo code (partial, as PATCH)",
        request=PromoCodeWriteSerializer(partial=True),
        responses=PromoCodeSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a promo code",
        request=PromoCodeWriteSerializer(partial=True),
        responses=PromoCodeSerializer,
    ),
)
class PromoCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's promo codes (1000 per page)."""

    queryset = PromoCode.objects.all()
    serializer_class = PromoCodeSerializer
    filterset_class = PromoCodeFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "promo_code_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return promo_selectors.promo_code_list(queryset=queryset)

    def create(self, request) -> Response:
        serializer = PromoCodeWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        code = promo_services.promo_code_create(school=self.school, **serializer.validated_data)
        return Response(PromoCodeSerializer(code).data, status=status.HTTP_201_CREATED)

    def update(self, request, promo_code_id: str | None = None) -> Response:
        promo_code = self.get_object()
        serializer = PromoCodeWriteSerializer(
            data=request.data,
            partial=True,
            context={"request": request, "promo_code": promo_code},
        )
        serializer.is_valid(raise_exception=True)
        promo_code = promo_services.promo_code_update(
            promo_code=promo_code, **serializer.validated_data
        )
        return Response(PromoCodeSerializer(promo_code).data)

    def partial_update(self, request, promo_code_id: str | None = None) -> Response:
        return self.update(request, promo_code_id=promo_code_id)

    @extend_schema(
        summary="How a promo code was used",
        description="By id or by the code itself: uses, the purchases and the people.",
        parameters=[
            OpenApiParameter(
                "promo_code_id", str, OpenApiParameter.PATH, description="The id or the code."
            )
        ],
        responses=PromoCodeUsageSerializer,
    )
    @action(detail=True, methods=["get"])
    def usage(self, request, promo_code_id: str | None = None) -> Response:
        promo_code = promo_selectors.promo_code_find(
            queryset=self.get_queryset(), id_or_code=promo_code_id
        )
        if promo_code is None:
            raise NotFound("No such promo code.")
        return Response(promo_selectors.promo_code_usage(promo_code=promo_code))

    @extend_schema(
        summary="Validate a promo code for an offer",
        description=(
            "The price the code would give the offer (for the user, if given), or the reason "
            "it would not (`valid: false` with `reason`). Nothing is used up. 60 calls a "
            "minute per credential."
        ),
        request=PromoCodeValidateSerializer,
        responses=PromoCodeValidationSerializer,
    )
    @action(detail=False, methods=["post"])
    def validate(self, request) -> Response:
        check_credential_rate(self, "promo_code_validate")
        serializer = PromoCodeValidateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offer = data["offer"]
        promo_code = (
            PromoCode.objects.select_related("pool")
            .filter(school=self.school, code=data["code"])
            .first()
        )
        if promo_code is None:
            result = promo_services.PromoPrice(
                offer.price_cents,
                None,
                offer.currency_code,
                CommerceErrorCode.CODE_NOT_FOUND,
                "No such promo code.",
            )
        else:
            result = promo_services.promo_code_price(
                promo_code=promo_code, offer=offer, user=data.get("user")
            )
        return Response(promo_services.promo_price_payload(result))
