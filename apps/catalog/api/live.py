"""Live training (Skilljar v1): ``ilt-instructors``, ``ilt-multi-session-events``,
``ilt-sessions`` (with an iCalendar feed per session) and ``vilt-session-events``; and
LearnWorlds' ``school/events`` calendar."""

from datetime import UTC, datetime
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from apps.catalog.models import (
    IltInstructor,
    IltMultiSessionEvent,
    IltSession,
    Lesson,
    SessionProvider,
)
from apps.catalog.selectors.live import (
    CALENDAR_COLUMNS,
    ilt_session_ics,
    ilt_session_list,
    school_calendar,
)
from apps.catalog.services import live as live_services
from apps.core.api.base import ApiView, SchoolScopedViewSet
from apps.core.api.fields import (
    LabelField,
    SchoolPrimaryKeyRelatedField,
    TimezoneField,
    WebUrlField,
)
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.email_identity import email_key
from apps.core.errors import NotFound
from apps.core.filters import ChoiceFilter, DateTimeFilter, FilterSet, UpdatedSinceFilter
from apps.core.renderers import JSONRenderer
from apps.core.validators import CONTROL_CHARACTERS

SCOPES = ("read:courses", "write:courses")

# --- instructors -----------------------------------------------------------------------------


class IltInstructorSerializer(ModelSerializer):
    class Meta:
        model = IltInstructor
        fields = ["id", "email", "name", "provider", "created_at", "updated_at"]
        read_only_fields = fields


class IltInstructorFilter(FilterSet):
    email = django_filters.CharFilter(
        method="filter_email", help_text="Exact address (letter case ignored)."
    )
    provider = ChoiceFilter(choices=SessionProvider.choices)

    class Meta:
        model = IltInstructor
        fields = ["email", "provider"]

    def filter_email(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(email_key=email_key(value))


@extend_schema_view(list=extend_schema(summary="List ILT instructors"))
class IltInstructorViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Instructors, recorded from the ``instructor_email`` of the school's sessions (one per
    address and provider), 100 per page."""

    queryset = IltInstructor.objects.all()
    serializer_class = IltInstructorSerializer
    filterset_class = IltInstructorFilter
    scopes = SCOPES
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("id")


# --- multi-session events --------------------------------------------------------------------


class IltMultiSessionEventSerializer(ModelSerializer):
    lesson = serializers.CharField(source="lesson_id", read_only=True)

    class Meta:
        model = IltMultiSessionEvent
        fields = ["id", "lesson", "display_name", "seats_total", "created_at", "updated_at"]
        read_only_fields = fields


class IltMultiSessionEventWriteSerializer(Serializer):
    read_shape = IltMultiSessionEventSerializer

    lesson = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(), help_text="A LIVE_TRAINING lesson of the school."
    )
    display_name = LabelField(max_length=255)
    seats_total = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        help_text="Seats for the whole event; empty = unlimited.",
    )


@extend_schema_view(
    list=extend_schema(summary="List ILT multi-session events"),
    retrieve=extend_schema(summary="Get an ILT multi-session event"),
    create=extend_schema(
        summary="Create an ILT multi-session event",
        request=IltMultiSessionEventWriteSerializer,
        responses={201: IltMultiSessionEventSerializer},
    ),
    update=extend_schema(
        summary="Update an ILT multi-session event (partial, as PATCH)",
        request=IltMultiSessionEventWriteSerializer(partial=True),
        responses=IltMultiSessionEventSerializer,
    ),
    partial_update=extend_schema(
        summary="Update an ILT multi-session event",
        request=IltMultiSessionEventWriteSerializer(partial=True),
        responses=IltMultiSessionEventSerializer,
    ),
)
class IltMultiSessionEventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """Multi-session events of LIVE_TRAINING lessons (100 per page)."""

    queryset = IltMultiSessionEvent.objects.all()
    serializer_class = IltMultiSessionEventSerializer
    scopes = SCOPES
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("id")

    def create(self, request) -> Response:
        serializer = IltMultiSessionEventWriteSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        event = live_services.multi_session_event_create(
            school=self.school, **serializer.validated_data
        )
        return Response(IltMultiSessionEventSerializer(event).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk: str | None = None) -> Response:
        event = self.get_object()
        serializer = IltMultiSessionEventWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        event = live_services.multi_session_event_update(event=event, **serializer.validated_data)
        return Response(IltMultiSessionEventSerializer(event).data)

    def partial_update(self, request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk)


# --- sessions --------------------------------------------------------------------------------


class IltSessionSerializer(ModelSerializer):
    """A session with every field of Skilljar's request body, its instructor and tags."""

    lesson = serializers.CharField(source="lesson_id", read_only=True, allow_null=True)
    multi_session_event = serializers.CharField(
        source="multi_session_event_id", read_only=True, allow_null=True
    )
    instructor_id = serializers.CharField(read_only=True)
    # Empty when the session has no link, so not a URI in the answer's schema.
    event_link = serializers.CharField(read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = IltSession
        fields = [
            "id",
            "instructor_email",
            "instructor_id",
            "provider",
            "multi_session_event",
            "seats_total",
            "timezone",
            "description",
            "post_registration_instructions",
            "location",
            "event_link",
            "ends_at",
            "lesson",
            "starts_at",
            "display_name",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# At most this many names, each at most this long, in either spelling.
MAX_TAGS, MAX_TAG_LENGTH = 50, 100
# No control character, as LABEL_PATTERN, but a blank name is allowed (it is dropped).
_NAME = "[^" + CONTROL_CHARACTERS.pattern[1:-1] + "]"
_PIECE = "[^," + CONTROL_CHARACTERS.pattern[1:-1] + f"]{{0,{MAX_TAG_LENGTH}}}"


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array",
                "items": {
                    "type": "string",
                    "maxLength": MAX_TAG_LENGTH,
                    "pattern": f"^{_NAME}*$",
                },
                "maxItems": MAX_TAGS,
            },
            {
                "type": "string",
                "pattern": f"^{_PIECE}(,{_PIECE}){{0,{MAX_TAGS - 1}}}$",
                "example": "Onsite, Forklift",
            },
        ]
    }
)
class TagNamesField(serializers.ListField):
    """Tag names given as a JSON array or as one comma-separated string (Skilljar documents
    ``tags`` as "Comma-separated list of tags" of type Array, and clients send either);
    blank names are dropped here, trimming and de-duplication are the service's."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=LabelField(max_length=MAX_TAG_LENGTH, allow_blank=True),
            max_length=MAX_TAGS,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = [name for name in data.split(",") if name.strip()]
        return [name for name in super().to_internal_value(data) if name]


class IltSessionWriteSerializer(Serializer):
    read_shape = IltSessionSerializer

    instructor_email = serializers.CharField(
        max_length=400,
        help_text="instructor@example.com, or Instructor Name <instructor@example.com> for "
        "calendar sessions (events without a provider).",
    )
    provider = serializers.ChoiceField(
        choices=SessionProvider.choices, required=False, help_text="Default calendar."
    )
    multi_session_event = SchoolPrimaryKeyRelatedField(
        queryset=IltMultiSessionEvent.objects.all(),
        required=False,
        allow_null=True,
        help_text="The multi-session event this session is part of; set this or lesson.",
    )
    lesson = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(),
        required=False,
        allow_null=True,
        help_text="A LIVE_TRAINING lesson; set this or multi_session_event.",
    )
    seats_total = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        help_text="Most registrants; empty = unlimited. Not for sessions of a multi-session "
        "event (seats live on the event).",
    )
    timezone = TimezoneField(
        help_text="An IANA time zone name (links such as US/Pacific accepted)."
    )
    description = serializers.CharField(allow_blank=True, required=False, max_length=100_000)
    post_registration_instructions = serializers.CharField(
        allow_blank=True, required=False, max_length=100_000
    )
    location = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=500,
        help_text="Only for calendar sessions.",
    )
    event_link = WebUrlField(
        allow_blank=True, required=False, help_text="Join link; only for calendar sessions."
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After starts_at.")
    display_name = LabelField(max_length=255)
    tags = TagNamesField(
        required=False,
        help_text="Tag names, as a list or one comma-separated string (the seed's \"Comma-"
        'separated list of tags"); trimmed, blanks dropped, each once whatever its letter '
        "case (the first spelling kept). Read back as a list. Not for sessions of a "
        "multi-session event.",
    )


class CalendarRenderer(BaseRenderer):
    """``text/calendar`` for the iCalendar feed; errors still go out as JSON."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


@extend_schema_view(
    list=extend_schema(summary="List ILT sessions"),
    retrieve=extend_schema(summary="Get an ILT session"),
    create=extend_schema(
        summary="Create an ILT session",
        request=IltSessionWriteSerializer,
        responses={201: IltSessionSerializer},
    ),
    update=extend_schema(
        summary="Update an ILT session (partial, as PATCH)",
        request=IltSessionWriteSerializer(partial=True),
        responses=IltSessionSerializer,
    ),
    partial_update=extend_schema(
        summary="Update an ILT session",
        request=IltSessionWriteSerializer(partial=True),
        responses=IltSessionSerializer,
    ),
)
class IltSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Sessions of LIVE_TRAINING lessons and of multi-session events (100 per page)."""

    queryset = IltSession.objects.all()
    serializer_class = IltSessionSerializer
    scopes = SCOPES
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return ilt_session_list(queryset=queryset)

    def _fields(self, request, *, partial: bool) -> dict:
        serializer = IltSessionWriteSerializer(
            data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request) -> Response:
        session = live_services.ilt_session_create(
            school=self.school, **self._fields(request, partial=False)
        )
        session = ilt_session_list().get(pk=session.pk)
        return Response(IltSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk: str | None = None) -> Response:
        session = self.get_object()
        session = live_services.ilt_session_update(
            session=session, **self._fields(request, partial=True)
        )
        session = ilt_session_list().get(pk=session.pk)
        return Response(IltSessionSerializer(session).data)

    def partial_update(self, request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk)

    @extend_schema(
        summary="The session as an iCalendar file",
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="An RFC 5545 calendar with one event."
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ics",
        renderer_classes=[JSONRenderer, CalendarRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def ics(self, request, pk: str | None = None) -> HttpResponse:
        session = self.get_object()
        response = HttpResponse(
            ilt_session_ics(session),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{session.id}.ics"'
        return response


# --- VILT session events ---------------------------------------------------------------------


class _SessionRefSerializer(Serializer):
    id = serializers.CharField(
        help_text="The registrable session: the multi-session event for parts of one, else "
        "the session itself."
    )
    lesson_id = serializers.CharField()
    course_id = serializers.CharField()
    multi_session_event_id = serializers.CharField(allow_null=True)


class ViltSessionEventSerializer(ModelSerializer):
    """One scheduled meeting and the registrable session it belongs to."""

    session = serializers.SerializerMethodField()
    event_link = serializers.CharField(read_only=True)

    class Meta:
        model = IltSession
        fields = [
            "id",
            "session",
            "display_name",
            "starts_at",
            "ends_at",
            "timezone",
            "provider",
            "instructor_email",
            "location",
            "event_link",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(_SessionRefSerializer)
    def get_session(self, obj: IltSession) -> dict:
        return {
            "id": obj.multi_session_event_id or obj.id,
            "lesson_id": obj.effective_lesson_id,
            "course_id": obj.course_id,
            "multi_session_event_id": obj.multi_session_event_id,
        }


class ViltSessionEventFilter(FilterSet):
    session__lesson__course__id = django_filters.CharFilter(
        method="filter_course", help_text="Meetings of this course (crs_ id)."
    )
    session__lesson__id = django_filters.CharFilter(
        method="filter_lesson", help_text="Meetings of this lesson (les_ id)."
    )
    starts_at__gte = DateTimeFilter(field_name="starts_at", lookup_expr="gte")
    ends_at__lte = DateTimeFilter(field_name="ends_at", lookup_expr="lte")

    class Meta:
        model = IltSession
        fields = ["session__lesson__course__id", "session__lesson__id"]

    def filter_course(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(lesson__course_id=value) | Q(multi_session_event__lesson__course_id=value)
        )

    def filter_lesson(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(lesson_id=value) | Q(multi_session_event__lesson_id=value))


@extend_schema_view(list=extend_schema(summary="List VILT session events"))
class ViltSessionEventViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Every scheduled meeting of the school's live training, in start order (100 per page):
    standalone sessions and the parts of multi-session events."""

    queryset = IltSession.objects.all()
    serializer_class = ViltSessionEventSerializer
    filterset_class = ViltSessionEventFilter
    scopes = SCOPES
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return ilt_session_list(queryset=queryset).prefetch_related(None)


# --- the school calendar (LearnWorlds) -------------------------------------------------------

SCHOOL_EVENT_KINDS = ["live_session", "drip_release", "assignment_due"]


class SchoolEventSerializer(Serializer):
    kind = serializers.ChoiceField(
        choices=SCHOOL_EVENT_KINDS,
        help_text="live_session (an ILT session), drip_release (a lesson released on a date) "
        "or assignment_due (an ASSIGNMENT lesson's due date).",
    )
    id = serializers.CharField(help_text="The session (ils_) or lesson (les_).")
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text="Start, release time or due time.")
    ends_at = serializers.DateTimeField(allow_null=True)
    course_id = serializers.CharField()
    lesson_id = serializers.CharField()
    updated_at = serializers.DateTimeField(
        help_text="When the row last changed: a drip release's or due date's lesson; for a "
        "live session the "
        "latest of the session, its multi-session event and its lesson."
    )


SCHOOL_EVENTS_PAGE = inline_serializer(
    name="SchoolEventList",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": SchoolEventSerializer(many=True),
    },
)


class SchoolEventsView(ApiView):
    """LearnWorlds' school calendar: upcoming live sessions, drip releases and assignment due
    dates, time order;
    with ``updated_since``, the upcoming ones changed since then, oldest change first."""

    scopes = SCOPES
    allow_user_tokens = False
    max_page_size = 100

    @extend_schema(
        summary="Upcoming school events (live sessions, drip releases, assignment due dates)",
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="A page number (from 1)."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Rows per page (1 to 100)."
            ),
            OpenApiParameter(
                UpdatedSinceFilter.param,
                OpenApiTypes.DATETIME,
                description=UpdatedSinceFilter.description,
            ),
        ],
        responses=SCHOOL_EVENTS_PAGE,
    )
    def get(self, request) -> Response:
        paging = CalendarPageSerializer(data=request.query_params)
        if not paging.is_valid():
            if "page" in paging.errors:  # a page that does not exist is 404, as on every list
                raise NotFound(f"page: {paging.errors['page'][0]}")
            raise serializers.ValidationError(paging.errors)
        size = max(
            1, min(paging.validated_data.get("page_size", self.max_page_size), self.max_page_size)
        )
        page = paging.validated_data.get("page", 1)
        rows = school_calendar(
            school=self.school,
            since=datetime.now(UTC),
            changed_since=UpdatedSinceFilter.since(request),
        )
        count = rows.count()
        offset = (page - 1) * size
        if page > 1 and offset >= count:
            raise NotFound(f"page: {page} is past the last page.")
        results = [
            dict(zip(CALENDAR_COLUMNS, row, strict=True)) for row in rows[offset : offset + size]
        ]
        for row in results:
            row["id"] = row.pop("item_id")
            row["updated_at"] = row.pop("changed_at")
        url = request.build_absolute_uri()
        return Response(
            {
                "count": count,
                "next": replace_query_param(url, "page", page + 1)
                if offset + size < count
                else None,
                "previous": None if page == 1 else replace_query_param(url, "page", page - 1),
                "results": SchoolEventSerializer(results, many=True).data,
            }
        )


class QueryIntegerField(serializers.IntegerField):
    """A whole-number query parameter; given empty (``page_size=``) it is refused like any
    other non-number, as the shared pagination refuses it, not read as left out (what DRF
    does with form-style input)."""

    def get_value(self, dictionary: Any) -> Any:
        return dictionary.get(self.field_name, empty)


class CalendarPageSerializer(serializers.Serializer):
    """``page`` and ``page_size`` of the school's calendar (a list of three kinds of rows)."""

    page = QueryIntegerField(min_value=1, required=False)
    page_size = QueryIntegerField(required=False)
