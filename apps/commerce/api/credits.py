"""``training-credit-codes`` (Skilljar v1): codes holding credits learners spend on offers.

On creation ``student_groups`` and ``offers`` are arrays of ids; on update each is
``{"add": [...], "remove": [...]}``, add resolved first, then remove (the seed's rule).
``expiration_date`` is the code's expiry (``expires_at`` in the model).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.commerce.models import Offer, TrainingCreditCode
from apps.commerce.selectors import credits as credit_selectors
from apps.commerce.services import credits as credit_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import FilterSet
from apps.schools.models import Group

MAX_CREDITS = 2_000_000_000


class TrainingCreditCodeSerializer(ModelSerializer):
    """A training credit code: its credits (total and left), expiry and audience."""

    expiration_date = serializers.DateTimeField(
        source="expires_at", read_only=True, allow_null=True
    )
    credits_remaining = serializers.IntegerField(read_only=True, help_text="Credits not spent yet.")
    student_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    offers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = TrainingCreditCode
        fields = [
            "id",
            "training_credit_code",
            "credits_total",
            "credits_remaining",
            "expiration_date",
            "expire_content",
            "tracking_identifier",
            "available_to_all_students",
            "student_groups",
            "available_for_all_offers",
            "offers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _groups(**kwargs: Any) -> SchoolPrimaryKeyRelatedField:
    return SchoolPrimaryKeyRelatedField(many=True, queryset=Group.objects.all(), **kwargs)


def _offers(**kwargs: Any) -> SchoolPrimaryKeyRelatedField:
    return SchoolPrimaryKeyRelatedField(many=True, queryset=Offer.objects.all(), **kwargs)


class _CodeFields(Serializer):
    """The fields creation and update share."""

    expiration_date = serializers.DateTimeField(
        source="expires_at", required=False, allow_null=True, help_text="ISO 8601; null: never."
    )
    expire_content = serializers.BooleanField(
        required=False,
        help_text="When true, access bought with the code ends when the code expires.",
    )
    tracking_identifier = serializers.CharField(
        max_length=200, allow_blank=True, allow_null=True, required=False
    )
    available_to_all_students = serializers.BooleanField(required=False)
    available_for_all_offers = serializers.BooleanField(required=False)


class TrainingCreditCodeCreateSerializer(_CodeFields):
    """A new code: its name, credits, and who may spend it on what."""

    training_credit_code = serializers.CharField(
        max_length=100, help_text="What learners type; unique in the school in any case."
    )
    credits_total = serializers.IntegerField(min_value=0, max_value=MAX_CREDITS)
    student_groups = _groups(
        required=False, help_text="Group ids; required unless available_to_all_students."
    )
    offers = _offers(
        required=False, help_text="Offer ids; required unless available_for_all_offers."
    )


class _Changes(Serializer):
    """``{add, remove}``; a plain list of ids (what a read shows) means "exactly these"."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, list):
            return {"set": self.fields["add"].to_internal_value(data)}
        return super().to_internal_value(data)


class _GroupChanges(_Changes):
    add = _groups(required=False, help_text="Group ids to add (resolved first).")
    remove = _groups(required=False, help_text="Group ids to remove (after add).")


class _OfferChanges(_Changes):
    add = _offers(required=False, help_text="Offer ids to add (resolved first).")
    remove = _offers(required=False, help_text="Offer ids to remove (after add).")


class TrainingCreditCodeUpdateSerializer(_CodeFields):
    """A change: fields to set, and groups and offers to add, then remove."""

    read_shape = TrainingCreditCodeSerializer

    credits_total = serializers.IntegerField(min_value=0, max_value=MAX_CREDITS, required=False)
    student_groups = _GroupChanges(required=False, help_text='{"add": [...], "remove": [...]}')
    offers = _OfferChanges(required=False, help_text='{"add": [...], "remove": [...]}')

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code = self.context.get("code")
        for name in ("student_groups", "offers"):
            changes = attrs.pop(name, None) or {}
            if "set" in changes and code is not None:
                current, wanted = set(getattr(code, name).all()), set(changes["set"])
                changes = {"add": list(wanted - current), "remove": list(current - wanted)}
            attrs[f"{name}_add"] = changes.get("add", [])
            attrs[f"{name}_remove"] = changes.get("remove", [])
        return attrs


class TrainingCreditCodeFilter(FilterSet):
    tracking_identifier = django_filters.CharFilter(field_name="tracking_identifier")
    training_credit_code = django_filters.CharFilter(
        field_name="training_credit_code",
        lookup_expr="iexact",
        help_text="The code's name, in any letter case.",
    )

    class Meta:
        model = TrainingCreditCode
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List training credit codes", description="1000 per page."),
    retrieve=extend_schema(summary="Get a training credit code"),
    create=extend_schema(
        summary="Create a training credit code",
        request=TrainingCreditCodeCreateSerializer,
        responses={201: TrainingCreditCodeSerializer},
    ),
    update=extend_schema(
        summary="Update a training credit code (partial, as PATCH)",
        request=TrainingCreditCodeUpdateSerializer,
        responses=TrainingCreditCodeSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a training credit code",
        request=TrainingCreditCodeUpdateSerializer,
        responses=TrainingCreditCodeSerializer,
    ),
)
class TrainingCreditCodeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """The school's training credit codes (1000 per page, oldest first)."""

    queryset = TrainingCreditCode.objects.all()
    serializer_class = TrainingCreditCodeSerializer
    filterset_class = TrainingCreditCodeFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "training_credit_code_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return credit_selectors.training_credit_code_list(queryset=queryset)

    def _respond(self, code: TrainingCreditCode, status_code: int = status.HTTP_200_OK) -> Response:
        queryset = TrainingCreditCode.objects.filter(pk=code.pk)
        code = credit_selectors.training_credit_code_list(queryset=queryset).get()
        return Response(TrainingCreditCodeSerializer(code).data, status=status_code)

    def create(self, request) -> Response:
        serializer = TrainingCreditCodeCreateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        code = credit_services.training_credit_code_create(
            school=self.school, **serializer.validated_data
        )
        return self._respond(code, status.HTTP_201_CREATED)

    def update(self, request, training_credit_code_id: str | None = None) -> Response:
        code = self.get_object()
        serializer = TrainingCreditCodeUpdateSerializer(
            data=request.data, partial=True, context={"request": request, "code": code}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            credit_services.training_credit_code_update(code=code, **serializer.validated_data)
        )

    def partial_update(self, request, training_credit_code_id: str | None = None) -> Response:
        return self.update(request, training_credit_code_id=training_credit_code_id)
