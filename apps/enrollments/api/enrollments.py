"""``domains/{domain_name}/published-courses/{id}/enrollments`` and
``…/published-paths/{id}/published-path-enrollments`` (Skilljar v1): 1000 per page,
idempotent creation on (user.id, enrolled_at), and only ``expires_at`` and ``active``
change afterwards. A user token lists its own enrollments."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import PublishedCourse, PublishedPath
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import WebUrlField
from apps.core.api.money import MoneyReadSerializer, MoneySerializer
from apps.core.api.serializers import Serializer
from apps.enrollments.models import Enrollment, PathEnrollment, PurchaseState
from apps.enrollments.selectors import enrollments as enrollment_selectors
from apps.enrollments.services import enrollments as enrollment_services
from apps.schools.api.nested import member_field

# --- shapes ----------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)


class PurchaseReadSerializer(serializers.Serializer):
    order_id = serializers.CharField(read_only=True)
    offer_price = MoneyReadSerializer(read_only=True, allow_null=True)
    purchase_price = MoneyReadSerializer(read_only=True, allow_null=True)
    quantity = serializers.IntegerField(read_only=True)
    purchase_state = serializers.ChoiceField(choices=PurchaseState.choices, read_only=True)
    payment_processor = serializers.CharField(read_only=True)
    purchase_id = serializers.CharField(read_only=True)
    purchased_at = serializers.DateTimeField(read_only=True, allow_null=True)
    tax_price_cents = serializers.IntegerField(read_only=True)


class EnrollmentSerializer(serializers.Serializer):
    """An enrollment as the seed shows it, plus how it came to be and its timestamps."""

    id = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True)
    enrolled_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True)
    purchase = PurchaseReadSerializer(
        read_only=True, allow_null=True, help_text="The purchase it was bought with, or null."
    )
    source = serializers.CharField(
        read_only=True, help_text="api, admin, path, purchase, members, import, self or cohort."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class UserIdSerializer(Serializer):
    # Resolved to the person's membership (account loaded): one query gives both.
    id = member_field(help_text="The user's id.")


class PurchaseWriteSerializer(Serializer):
    """The ``purchase`` block recorded with an enrollment (prices in one currency)."""

    purchase_state = serializers.ChoiceField(choices=PurchaseState.choices)
    offer_price = MoneySerializer(required=False, allow_null=True)
    purchase_price = MoneySerializer(required=False, allow_null=True)
    purchased_at = serializers.DateTimeField(required=False, allow_null=True)
    tax_price_cents = serializers.IntegerField(required=False, min_value=0, max_value=10**15)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    order_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    purchase_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    payment_processor = serializers.CharField(required=False, allow_blank=True, max_length=50)

    def validate(self, attrs: dict[str, Any]) -> enrollment_services.Purchase:
        prices = {
            name: attrs.get(name)
            for name in ("offer_price", "purchase_price")
            if attrs.get(name) is not None
        }
        currencies = {currency for _, currency in prices.values()}
        if len(currencies) > 1:
            raise serializers.ValidationError(
                {"purchase_price": ["offer_price and purchase_price must be in one currency."]}
            )
        offer = prices.get("offer_price")
        price = prices.get("purchase_price")
        return enrollment_services.Purchase(
            purchase_state=attrs["purchase_state"],
            currency_code=currencies.pop() if currencies else "",
            offer_price_cents=offer[0] if offer else None,
            price_cents=price[0] if price else None,
            tax_price_cents=attrs.get("tax_price_cents", 0),
            quantity=attrs.get("quantity", 1),
            order_id=attrs.get("order_id", ""),
            purchase_id=attrs.get("purchase_id", ""),
            payment_processor=attrs.get("payment_processor", ""),
            purchased_at=attrs.get("purchased_at"),
        )


class EnrollmentCreateSerializer(Serializer):
    read_shape = EnrollmentSerializer

    user = UserIdSerializer(help_text='{"id": …}: a user of this school.')
    enrolled_at = serializers.DateTimeField(
        required=False,
        help_text="Default now. The same user and enrolled_at answer the existing enrollment.",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="After enrolled_at; null never expires."
    )
    active = serializers.BooleanField(required=False, default=True)
    purchase = PurchaseWriteSerializer(required=False, allow_null=True)
    completion_redirect = WebUrlField(
        required=False,
        allow_blank=True,
        help_text="Where to send the learner once the course is complete (LearnFlow); shown "
        "in the course's progress summary.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["member"] = attrs["user"]["id"]
        attrs["user"] = attrs["member"].user
        return attrs


class EnrollmentUpdateSerializer(Serializer):
    read_shape = EnrollmentSerializer

    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


# --- views -----------------------------------------------------------------------------------


def _schema(noun: str, parent: str) -> dict[str, Any]:
    return {
        "list": extend_schema(
            summary=f"List the enrollments of a {parent}",
            description="1000 per page. A user token lists its own.",
        ),
        "retrieve": extend_schema(summary=f"Get a {noun}"),
        "create": extend_schema(
            summary=f"Enroll a user in a {parent}",
            description="Idempotent on user.id and enrolled_at: the same pair answers the "
            "existing enrollment (200); otherwise a new enrollment (201).",
            request=EnrollmentCreateSerializer,
            responses={200: EnrollmentSerializer, 201: EnrollmentSerializer},
        ),
        "update": extend_schema(
            summary=f"Update a {noun} (partial, as PATCH)",
            request=EnrollmentUpdateSerializer(partial=True),
        ),
        "partial_update": extend_schema(
            summary=f"Update a {noun}", request=EnrollmentUpdateSerializer(partial=True)
        ),
    }


class _EnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Shared by course and path enrollments: rows straight from ``values()``."""

    serializer_class = EnrollmentSerializer
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    page_size = 1000
    max_page_size = 1000

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return enrollment_selectors.enrollment_rows(queryset)

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            [enrollment_selectors.enrollment_row_payload(row) for row in page]
        )

    def _respond(self, enrollment, code: int = status.HTTP_200_OK) -> Response:
        row = enrollment_selectors.enrollment_row_of(enrollment)
        return Response(enrollment_selectors.enrollment_row_payload(row), status=code)

    def retrieve(self, request, **kwargs) -> Response:
        pk = self.get_object().pk
        row = enrollment_selectors.enrollment_rows(self.queryset.filter(pk=pk)).get()
        return Response(enrollment_selectors.enrollment_row_payload(row))

    def _create(self, request, service, **target: Any) -> Response:
        serializer = EnrollmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        enrollment, created = service(**target, **serializer.validated_data)
        return self._respond(enrollment, status.HTTP_201_CREATED if created else 200)

    def _update(self, request, service, **target: Any) -> Response:
        serializer = EnrollmentUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        enrollment = service(enrollment=self.get_object(), **serializer.validated_data)
        return self._respond(enrollment)


@extend_schema_view(**_schema("course enrollment", "published course"))
class EnrollmentViewSet(_EnrollmentViewSet):
    """Enrollments in one published course."""

    # The publication and its domain in one query (the domain named in the path).
    published_course = Parent(
        PublishedCourse.objects.select_related("course", "domain"),
        url_kwarg="published_course_id",
        match={"domain__name": "domain_name"},
        detail="No such published course on this domain.",
    )
    queryset = Enrollment.objects.all()
    lookup_url_kwarg = "enrollment_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(published_course=self.published_course).order_by("id")

    def create(self, request, **kwargs) -> Response:
        return self._create(
            request,
            enrollment_services.enrollment_create,
            published_course=self.published_course,
        )

    def update(self, request, **kwargs) -> Response:
        return self._update(request, enrollment_services.enrollment_update)

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)


@extend_schema_view(**_schema("path enrollment", "published path"))
class PathEnrollmentViewSet(_EnrollmentViewSet):
    """Enrollments in one published path."""

    published_path = Parent(
        PublishedPath.objects.select_related("path", "domain"),
        url_kwarg="published_path_id",
        match={"domain__name": "domain_name"},
        detail="No such published path on this domain.",
    )
    queryset = PathEnrollment.objects.all()
    lookup_url_kwarg = "published_path_enrollment_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(published_path=self.published_path).order_by("id")

    def create(self, request, **kwargs) -> Response:
        return self._create(
            request,
            enrollment_services.path_enrollment_create,
            published_path=self.published_path,
        )

    def update(self, request, **kwargs) -> Response:
        return self._update(request, enrollment_services.path_enrollment_update)

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)
