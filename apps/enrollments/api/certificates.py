"""``certificates`` (LearnFlow's list and fields; LearnWorlds' revoke and reissue): list and
read; DELETE revokes (the certificate stays, marked revoked); PUT reissues it (a new
certificate replaces it). A learner's token lists its own certificates."""

from datetime import UTC, date, datetime, time

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import Serializer
from apps.core.filters import FilterSet, parse_query_datetime
from apps.enrollments.models import Certificate
from apps.enrollments.selectors.certificates import certificate_row_payload
from apps.enrollments.services import certificates as certificate_services


class DownloadUrlsSerializer(serializers.Serializer):
    pdf = serializers.URLField(read_only=True)
    png = serializers.URLField(read_only=True)
    svg = serializers.URLField(read_only=True)


class CertificateSerializer(serializers.Serializer):
    """A certificate as LearnFlow shows it, plus its status and revocation."""

    id = serializers.CharField(read_only=True)
    user_id = serializers.CharField(read_only=True)
    user_name = serializers.CharField(read_only=True, help_text="As printed at issue.")
    course_id = serializers.CharField(read_only=True)
    course_title = serializers.CharField(read_only=True, help_text="As printed at issue.")
    title = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    credential_id = serializers.CharField(read_only=True)
    certificate_url = serializers.URLField(read_only=True, help_text="This resource's address.")
    verification_url = serializers.URLField(
        read_only=True, help_text="The public page that says whether it is valid."
    )
    download_urls = DownloadUrlsSerializer(
        read_only=True,
        allow_null=True,
        help_text="Signed links to the PDF, PNG and SVG; null once revoked.",
    )
    status = serializers.ChoiceField(choices=["valid", "revoked"], read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoke_reason = serializers.CharField(read_only=True)
    replaced_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="The certificate that replaced it (reissue)."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class CertificateRevokeSerializer(Serializer):
    """The query of a revocation: ``?reason=…``."""

    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why it is revoked; kept with the certificate, never shown publicly.",
    )


class DateOrDateTimeField(forms.Field):
    """An ISO 8601 date (its start, UTC) or date-time with a zone, as a UTC time."""

    def to_python(self, value: object) -> datetime | None:
        if value in self.empty_values:
            return None
        raw = str(value).strip()
        try:
            day = parse_date(raw)
        except ValueError:  # well formed but impossible, e.g. February 30th
            raise DjangoValidationError(f"{raw!r} is not a valid date.", code="invalid") from None
        if isinstance(day, date):
            return datetime.combine(day, time.min, tzinfo=UTC)
        try:
            return parse_query_datetime(raw)
        except ValueError as exc:
            raise DjangoValidationError(str(exc), code="invalid") from None


class IssuedAfterFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class CertificateFilter(FilterSet):
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A usr_ id.")
    course_id = django_filters.CharFilter(field_name="course_id", help_text="A crs_ id.")
    issued_after = IssuedAfterFilter(
        field_name="issued_at",
        lookup_expr="gte",
        help_text="Issued at or after this ISO 8601 date (from its start, UTC) or date-time.",
    )

    class Meta:
        model = Certificate
        fields = ["user_id", "course_id", "issued_after"]


@extend_schema_view(
    list=extend_schema(
        summary="List certificates",
        description="Valid and revoked, oldest first, 100 per page. A user token lists its own.",
    ),
    retrieve=extend_schema(summary="Get a certificate"),
    update=extend_schema(
        summary="Reissue a certificate",
        description="Revokes this certificate and answers its replacement: a new id and "
        "credential id, today's template and name. A revoked certificate: 409 "
        "certificate_revoked.",
        request=None,
        responses=CertificateSerializer,
    ),
    destroy=extend_schema(
        summary="Revoke a certificate",
        description="The certificate stays, marked revoked; its verification page says so. "
        "Revoking twice: 409 certificate_revoked.",
        parameters=[CertificateRevokeSerializer],
        request=None,
        responses={
            200: CertificateSerializer,
            409: OpenApiResponse(description="Already revoked (certificate_revoked)."),
        },
    ),
)
class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's certificates; writes need ``write:enrollments``."""

    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    scopes = ("read:certificates", "write:enrollments")
    owner_field = "user"
    lookup_url_kwarg = "certificate_id"
    http_method_names = ["get", "put", "delete", "head", "options"]

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("id")

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([certificate_row_payload(row) for row in page])

    def retrieve(self, request, **kwargs) -> Response:
        return Response(certificate_row_payload(self.get_object()))

    def update(self, request, **kwargs) -> Response:
        certificate = certificate_services.certificate_reissue(certificate=self.get_object())
        return Response(certificate_row_payload(certificate))

    def destroy(self, request, **kwargs) -> Response:
        serializer = CertificateRevokeSerializer(
            data=request.query_params, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        certificate = certificate_services.certificate_revoke(
            certificate=self.get_object(), **serializer.validated_data
        )
        return Response(certificate_row_payload(certificate))
