"""``domains/{domain_name}/plan`` (singular, as Skilljar spells it), ``…/plan/{plan_id}``,
``…/plan/{plan_id}/plan-enrollments(/{id})`` and ``users/{user_id}/plan-enrollments``
(Skilljar v1). Plans are made by staff in the admin (the seed has no POST); enrollments are
idempotent on (user.id, enrolled_at), and only ``expires_at`` and ``active`` change
afterwards. API keys only: these are the school's sales records."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.api.publishing import CourseTitleSerializer, OfferSummaryField
from apps.commerce.models import Plan, PlanEnrollment
from apps.commerce.selectors import plans as plan_selectors
from apps.commerce.services import plans as plan_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer
from apps.enrollments.api.enrollments import (
    EnrollmentCreateSerializer,
    EnrollmentSerializer,
    EnrollmentUpdateSerializer,
)
from apps.schools.api.nested import domain_parent
from apps.schools.models import Member

SCOPES = ("read:commerce", "write:commerce")


class PlanSerializer(ModelSerializer):
    """A plan row as the seed shows it (``plan`` repeats the row's id and title: a plan
    lives on one domain), with its slug and timestamps."""

    plan = CourseTitleSerializer(source="*", read_only=True, help_text="{id, title}.")
    plan_url = serializers.CharField(read_only=True, help_text="https://{domain}/plan/{slug}.")
    offer = OfferSummaryField(allow_null=True)

    class Meta:
        model = Plan
        fields = ["id", "plan", "plan_url", "offer", "slug", "created_at", "updated_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List the plans of a domain", description="100 per page."),
    retrieve=extend_schema(summary="Get a plan"),
)
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Plans on a domain (100 per page), each with its offer (null: none)."""

    domain = domain_parent(relation="domain")

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    scopes = SCOPES
    allow_user_tokens = False
    lookup_url_kwarg = "plan_id"
    page_size = 100
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return plan_selectors.plan_list(queryset=queryset)


class PlanRefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class PlanEnrollmentSerializer(EnrollmentSerializer):
    """A plan enrollment: the seed's enrollment shape (purchase block included) and the
    plan it is in."""

    plan = PlanRefSerializer(read_only=True)


class PlanEnrollmentUpdateSerializer(EnrollmentUpdateSerializer):
    """A course enrollment's changes (``active``, ``expires_at``); a plan enrollment sent
    back as it was read (with its ``plan``) is accepted."""

    read_shape = PlanEnrollmentSerializer


class _PlanEnrollmentRows(mixins.ListModelMixin, SchoolScopedViewSet):
    """Rows straight from ``values()``, 1000 per page, API keys only."""

    serializer_class = PlanEnrollmentSerializer
    scopes = SCOPES
    allow_user_tokens = False
    page_size = 1000
    max_page_size = 1000

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return plan_selectors.plan_enrollment_rows(queryset)

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            [plan_selectors.plan_enrollment_row_payload(row) for row in page]
        )

    def _respond(self, enrollment: PlanEnrollment, code: int = status.HTTP_200_OK) -> Response:
        row = plan_selectors.plan_enrollment_rows(
            PlanEnrollment.objects.filter(pk=enrollment.pk)
        ).get()
        return Response(plan_selectors.plan_enrollment_row_payload(row), status=code)


@extend_schema_view(
    list=extend_schema(summary="List the enrollments of a plan", description="1000 per page."),
    retrieve=extend_schema(summary="Get a plan enrollment"),
    create=extend_schema(
        summary="Enroll a user in a plan (and in each of its courses)",
        description="Idempotent on user.id and enrolled_at: the same pair answers the "
        "existing enrollment (200); otherwise a new enrollment (201). "
        "completion_redirect is not used by plans.",
        request=EnrollmentCreateSerializer,
        responses={200: PlanEnrollmentSerializer, 201: PlanEnrollmentSerializer},
    ),
    update=extend_schema(
        summary="Update a plan enrollment (partial, as PATCH)",
        description="The course enrollments the plan enrollment granted follow it.",
        request=PlanEnrollmentUpdateSerializer(partial=True),
    ),
    partial_update=extend_schema(
        summary="Update a plan enrollment",
        description="The course enrollments the plan enrollment granted follow it.",
        request=PlanEnrollmentUpdateSerializer(partial=True),
    ),
)
class PlanEnrollmentViewSet(mixins.RetrieveModelMixin, _PlanEnrollmentRows):
    """Enrollments in one plan of the domain."""

    plan = Parent(
        Plan.objects.select_related("domain"),
        url_kwarg="plan_id",
        match={"domain__name": "domain_name"},
        detail="No such plan on this domain.",
    )
    queryset = PlanEnrollment.objects.all()
    lookup_url_kwarg = "plan_enrollment_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(plan=self.plan).order_by("id")

    def retrieve(self, request, **kwargs) -> Response:
        return self._respond(self.get_object())

    def create(self, request, **kwargs) -> Response:
        serializer = EnrollmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        data.pop("completion_redirect", None)
        enrollment, created = plan_services.plan_enrollment_create(plan=self.plan, **data)
        return self._respond(enrollment, status.HTTP_201_CREATED if created else 200)

    def update(self, request, **kwargs) -> Response:
        serializer = PlanEnrollmentUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        enrollment = plan_services.plan_enrollment_update(
            enrollment=self.get_object(), **serializer.validated_data
        )
        return self._respond(enrollment)

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="List a user's plan enrollments", description="1000 per page, oldest first."
    )
)
class UserPlanEnrollmentViewSet(_PlanEnrollmentRows):
    """``users/{user_id}/plan-enrollments``: the person's enrollments in every plan."""

    member = Parent(
        Member.objects.select_related("user"),
        url_kwarg="user_id",
        field="user_id",
        detail="No such user.",
    )
    queryset = PlanEnrollment.objects.all()

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(user_id=self.member.user_id).order_by("id")
