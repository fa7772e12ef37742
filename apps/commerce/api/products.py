"""Products of users (LearnWorlds): ``users/{id}/products``, ``users/by-product`` and
``POST/DELETE users/{id}/enrollment`` into a course, path, bundle, plan or subscription."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.commerce.selectors import products as product_selectors
from apps.commerce.services import products as product_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.schools.models import Member

PRODUCT_TYPE_CHOICES = [(kind, kind) for kind in product_selectors.PRODUCT_TYPES]
PRODUCT_TYPE_HELP = (
    "course (a published course, pcr_…), path (a published path, ppt_…), bundle (bnd_…), "
    "plan (pln_…) or subscription (a subscription plan, spl_…)."
)


class UserProductSerializer(Serializer):
    """A product the user holds and the row that gives it to them."""

    id = serializers.CharField(read_only=True, help_text="The product's id.")
    type = serializers.ChoiceField(choices=PRODUCT_TYPE_CHOICES, read_only=True)
    title = serializers.CharField(read_only=True)
    access_id = serializers.CharField(
        read_only=True,
        help_text="The enrollment, plan enrollment, bundle enrollment or subscription.",
    )
    granted_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ProductEnrollmentSerializer(Serializer):
    """The product to enroll the user into (or take away)."""

    product_id = serializers.CharField(max_length=40, help_text="The product's id.")
    product_type = serializers.ChoiceField(
        choices=PRODUCT_TYPE_CHOICES, help_text=PRODUCT_TYPE_HELP
    )


class ProductUserSerializer(ModelSerializer):
    """A user who holds the product."""

    id = serializers.CharField(source="user_id", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "email", "first_name", "last_name", "created_at"]
        read_only_fields = fields


def _user_parent() -> Parent:
    return Parent(
        Member.objects.select_related("user"),
        url_kwarg="user_id",
        field="user_id",
        detail="No such user.",
    )


class UserProductViewSet(SchoolScopedViewSet):
    """``users/{user_id}/products``: what the person holds, whatever gave it to them. Its
    rows come from five tables (``user_products``), so it is an action of its own, not a
    list of ``queryset``'s rows."""

    member = _user_parent()
    queryset = Member.objects.all()
    serializer_class = UserProductSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = 20
    max_page_size = 100

    @extend_schema(
        summary="List a user's products",
        description="Every course, path, bundle, plan and subscription the user holds now "
        "(a course a plan, path or subscription gives is listed as a course too); 20 per "
        "page, courses first, then paths, bundles, plans, subscriptions, oldest first.",
        responses=UserProductSerializer(many=True),
    )
    def products(self, request, user_id: str | None = None) -> Response:
        products = product_selectors.user_products(school=self.school, user=self.member.user)
        page = self.paginator.paginate_list(products, request, view=self)
        return self.get_paginated_response(UserProductSerializer(page, many=True).data)


class ProductUserFilter(FilterSet):
    """``product_type`` and ``product_id`` name one product of the school, both required."""

    product_type = ChoiceFilter(
        choices=PRODUCT_TYPE_CHOICES, required=True, help_text=PRODUCT_TYPE_HELP
    )
    product_id = django_filters.CharFilter(required=True, help_text="The product's id.")

    class Meta:
        model = Member
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The two parameters name one product together, so they are applied as one.
        data = self.form.cleaned_data
        school = self.request.auth.school
        product = product_selectors.product_resolve(
            school=school, product_type=data["product_type"], product_id=data["product_id"]
        )
        return product_selectors.product_users(school=school, queryset=queryset, product=product)


class ProductUserViewSet(SchoolScopedViewSet):
    """``users/by-product?product_type=&product_id=``: who has access to one product (an
    action on ``users``, as ``users/by-segment`` is: both parameters are required)."""

    queryset = Member.objects.all()
    serializer_class = ProductUserSerializer
    filterset_class = ProductUserFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("user").order_by("id")

    @extend_schema(
        summary="List the users of a product",
        description="The users who hold the product now (20 per page, oldest first).",
        parameters=[
            OpenApiParameter(
                "product_type",
                {"type": "string", "enum": list(product_selectors.PRODUCT_TYPES)},
                required=True,
                description=PRODUCT_TYPE_HELP,
            ),
            OpenApiParameter(
                "product_id",
                {"type": "string", "pattern": "^[^\x00]*[^\x00\\s][^\x00]*$"},
                required=True,
                description="The product's id.",
            ),
        ],
        responses=ProductUserSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="by-product")
    def by_product(self, request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProductUserSerializer(page, many=True).data)


class UserEnrollmentViewSet(SchoolScopedViewSet):
    """``users/{user_id}/enrollment``: enroll the person into a product, or take it away."""

    member = _user_parent()
    queryset = Member.objects.all()
    serializer_class = ProductEnrollmentSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False

    def _product(self, data) -> product_selectors.Product:
        serializer = ProductEnrollmentSerializer(data=data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return product_selectors.product_resolve(school=self.school, **serializer.validated_data)

    @extend_schema(
        summary="Enroll a user into a product",
        description="201 with the product as the user now holds it; 200 with it when they "
        "held it already (nothing is granted twice).",
        request=ProductEnrollmentSerializer,
        responses={201: UserProductSerializer, 200: UserProductSerializer},
    )
    def enroll(self, request, user_id: str | None = None) -> Response:
        product = self._product(request.data)
        _, created = product_services.product_enroll(
            school=self.school, user=self.member.user, product=product
        )
        held = next(
            item
            for item in product_selectors.user_products(school=self.school, user=self.member.user)
            if (item["type"], item["id"]) == (product.type, product.id)
        )
        return Response(
            UserProductSerializer(held).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Unenroll a user from a product",
        description="204; the access ends as a refund ends it (a subscription is cancelled). "
        "The product is named by the query parameters (or, as the seed sends it, a JSON "
        "body with the same two fields). 409 product_not_held when the user does not hold "
        "it.",
        request=None,
        responses={204: None},
        parameters=[
            OpenApiParameter("user_id", str, OpenApiParameter.PATH),
            OpenApiParameter(
                "product_type",
                {"type": "string", "enum": list(product_selectors.PRODUCT_TYPES)},
                required=True,
                description=PRODUCT_TYPE_HELP,
            ),
            OpenApiParameter(
                "product_id",
                {"type": "string", "pattern": "^[^\x00]*[^\x00\\s][^\x00]*$"},
                required=True,
                description="The product's id.",
            ),
        ],
    )
    def unenroll(self, request, user_id: str | None = None) -> Response:
        named = {"product_type", "product_id"} & set(request.query_params)
        product = self._product(request.query_params if named else request.data)
        product_services.product_unenroll(
            school=self.school, user=self.member.user, product=product
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
