"""``vilt-session-registrations`` (Skilljar v1): register an enrolled person for a live
session, list registrations (1000 per page, ``session__id``), record attendance (PUT = PATCH,
``attended`` only). A learner's token lists its own registrations."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import IltSession
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import FilterSet
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.enrollments.models import Enrollment, ViltSessionRegistration
from apps.enrollments.services import live as live_services


class SessionRefSerializer(serializers.Serializer):
    """``{"id": …}`` of the registration's session, read off the row (no join)."""

    id = serializers.CharField(source="session_id", read_only=True)


class ViltSessionRegistrationSerializer(ModelSerializer):
    """A registration: the session, the enrollment it goes through, the person, attendance."""

    vilt_session = SessionRefSerializer(source="*", read_only=True)
    enrollment_id = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True)
    attended = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Null until attendance is recorded."
    )

    class Meta:
        model = ViltSessionRegistration
        fields = [
            "id",
            "vilt_session",
            "enrollment_id",
            "user",
            "attended",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SessionIdSerializer(Serializer):
    id = SchoolPrimaryKeyRelatedField(
        queryset=IltSession.objects.all(), help_text="An ILT/VILT session (ils_ id)."
    )


class ViltSessionRegistrationCreateSerializer(Serializer):
    read_shape = ViltSessionRegistrationSerializer

    vilt_session = SessionIdSerializer(help_text='{"id": …}: a session of this school.')
    enrollment_id = SchoolPrimaryKeyRelatedField(
        queryset=Enrollment.objects.all(),
        help_text="The person's enrollment in the session's course (enr_ id).",
    )


class ViltSessionRegistrationUpdateSerializer(Serializer):
    read_shape = ViltSessionRegistrationSerializer

    attended = serializers.BooleanField(allow_null=True)


class ViltSessionRegistrationFilter(FilterSet):
    session__id = django_filters.CharFilter(
        field_name="session_id", help_text="Registrations of this session (ils_ id)."
    )

    class Meta:
        model = ViltSessionRegistration
        fields = ["session__id"]


@extend_schema_view(
    list=extend_schema(
        summary="List live-session registrations",
        description="1000 per page, oldest first. A user token lists its own.",
    ),
    retrieve=extend_schema(summary="Get a live-session registration"),
    create=extend_schema(
        summary="Register an enrolled user for a live session",
        description="The enrollment must be in the session's course and give access. "
        "Registering the same person for the same session again answers the existing "
        "registration (200). No seat left: 409 session_full.",
        request=ViltSessionRegistrationCreateSerializer,
        responses={200: ViltSessionRegistrationSerializer, 201: ViltSessionRegistrationSerializer},
    ),
    update=extend_schema(
        summary="Record attendance (partial, as PATCH)",
        request=ViltSessionRegistrationUpdateSerializer(partial=True),
    ),
    partial_update=extend_schema(
        summary="Record attendance",
        request=ViltSessionRegistrationUpdateSerializer(partial=True),
    ),
)
class ViltSessionRegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """Registrations for the school's live sessions."""

    queryset = ViltSessionRegistration.objects.all()
    serializer_class = ViltSessionRegistrationSerializer
    filterset_class = ViltSessionRegistrationFilter
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    page_size = 1000
    max_page_size = 1000
    lookup_url_kwarg = "vilt_session_registration_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("user").order_by("id")

    def create(self, request, **kwargs) -> Response:
        serializer = ViltSessionRegistrationCreateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        registration, created = live_services.vilt_registration_create(
            session=serializer.validated_data["vilt_session"]["id"],
            enrollment=serializer.validated_data["enrollment_id"],
        )
        return Response(
            ViltSessionRegistrationSerializer(self.get_queryset().get(pk=registration.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def update(self, request, **kwargs) -> Response:
        serializer = ViltSessionRegistrationUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        registration = self.get_object()
        if "attended" in serializer.validated_data:
            registration = live_services.vilt_registration_update(
                registration=registration, attended=serializer.validated_data["attended"]
            )
        return Response(
            ViltSessionRegistrationSerializer(self.get_queryset().get(pk=registration.pk)).data
        )

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)
