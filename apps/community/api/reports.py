"""``community/reports``: the moderation queue of reported posts, open first then oldest.

Staff (API keys) see every report of the school; a user token sees those of the spaces it
moderates (nothing otherwise). Settling a report hides the post (``hide``) or keeps it
(``dismiss``); the reporter, and on hiding the post's author, are notified.
"""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.community.api.members import SpacePersonSerializer
from apps.community.models import PostReport
from apps.community.models.posts import REASON_MAX
from apps.community.selectors import posts as post_selectors
from apps.community.services import posts as post_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import Serializer
from apps.core.filters import ChoiceFilter, FilterSet


class PostReportSerializer(serializers.ModelSerializer):
    """A report: the post, its space, who reported it and why, and where it stands."""

    post_id = serializers.CharField(read_only=True)
    space_id = serializers.CharField(source="post.space_id", read_only=True)
    reporter = SpacePersonSerializer(read_only=True)

    class Meta:
        model = PostReport
        fields = [
            "id",
            "post_id",
            "space_id",
            "reporter",
            "reason",
            "status",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportHideSerializer(Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        allow_blank=True,
        required=False,
        help_text="Shown to the post's author; the report's own reason when left out.",
    )


class PostReportFilter(FilterSet):
    status = ChoiceFilter(field_name="status", choices=PostReport.Status.choices)
    post_id = django_filters.CharFilter(field_name="post_id", help_text="A post (pst_ id).")

    class Meta:
        model = PostReport
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List reported community posts (the moderation queue)",
        description="Open reports first, then oldest first. Staff see every report; a user "
        "token the reports of the spaces it moderates.",
    ),
    retrieve=extend_schema(summary="Get a report of a community post"),
)
class PostReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Reports of posts, for staff and the spaces' moderators."""

    queryset = PostReport.objects.all()
    serializer_class = PostReportSerializer
    filterset_class = PostReportFilter
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "report_id"
    owner_write_actions = ("dismiss", "hide")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return post_selectors.report_queue(credential=self.credential, queryset=queryset)

    def _respond(self, report: PostReport) -> Response:
        return Response(PostReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Dismiss a report: the post stays (the reporter is notified)",
        description="409 report_closed when the report is no longer open.",
        request=None,
        responses=PostReportSerializer,
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, report_id: str | None = None) -> Response:
        return self._respond(post_services.report_dismiss(report=self.get_object()))

    @extend_schema(
        summary="Hide the reported post (the author and the reporters are notified)",
        description="Settles every open report of the post; 409 report_closed when this one "
        "is no longer open.",
        request=ReportHideSerializer,
        responses=PostReportSerializer,
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, report_id: str | None = None) -> Response:
        report = self.get_object()
        serializer = ReportHideSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._respond(post_services.report_hide(report=report, **serializer.validated_data))
