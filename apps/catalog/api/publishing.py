"""``domains/{domain_name}/published-courses``, ``…/published-paths``, ``…/course-series``
and ``…/course-series/{id}/published-courses`` (Skilljar v1). Reading is the seed's API;
POST, PUT/PATCH and DELETE are Lyceum's extension for integrators."""

from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import QuerySet
from django_filters import CharFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.catalog.api.paths import PathItemSerializer
from apps.catalog.models import Course, CourseSeries, Path, PublishedCourse, PublishedPath
from apps.catalog.selectors import publishing as publishing_selectors
from apps.catalog.services import publishing as publishing_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import LabelField, SchoolPrimaryKeyRelatedField, TimezoneField
from apps.core.api.money import MoneyReadSerializer
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.codes import CoreErrorCode
from apps.core.errors import InvalidInput
from apps.core.filters import BooleanFilter, FilterSet, StrictBooleanField
from apps.core.times import format_datetime
from apps.schools.api.nested import domain_parent

INCLUDE = "include_searchable_content"


class _IncludeSearchable(serializers.Serializer):
    """The one option of a single published course or path (other parameters ignored)."""

    include_searchable_content = serializers.CharField(required=False, allow_blank=True)

    def validate_include_searchable_content(self, value: str) -> bool:
        try:
            return bool(StrictBooleanField().clean(value))
        except DjangoValidationError as exc:
            raise ValidationError(list(exc.messages)) from None


def include_searchable(request) -> bool:
    """``include_searchable_content`` as a boolean; 400 naming it when it is not one."""
    options = _IncludeSearchable(data=request.query_params)
    options.is_valid(raise_exception=True)
    return bool(options.validated_data.get(INCLUDE, False))


INCLUDE_PARAMETER = OpenApiParameter(
    INCLUDE,
    OpenApiTypes.BOOL,
    description="true: the answer also carries the searchable content fields.",
)


class SearchableFilter(FilterSet):
    """``search`` (ranked catalog search) and ``include_searchable_content``."""

    search = CharFilter(
        method="filter_search",
        max_length=200,
        help_text='Words, "a phrase" or -excluded, answered in catalog search order.',
    )
    include_searchable_content = BooleanFilter(
        method="filter_noop", help_text="true: also the searchable content fields."
    )

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def _searchable(self, value: str) -> str:
        """``value``; 400 naming ``cursor`` when one is given too: a ranking is no keyset."""
        if "cursor" in self.data:
            raise InvalidInput(
                "cursor: a search's results come in pages (page, page_size), not by cursor.",
                code=CoreErrorCode.CURSOR_INVALID,
                field="cursor",
            )
        return value


class PublishedCourseFilter(SearchableFilter):
    class Meta:
        model = PublishedCourse
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return publishing_selectors.published_course_search(queryset, self._searchable(value))


class PublishedPathFilter(SearchableFilter):
    class Meta:
        model = PublishedPath
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return publishing_selectors.published_path_search(queryset, self._searchable(value))


class LabelNamesField(serializers.ListField):
    """The names of prefetched labels (``tags``); an output-only key the schema marks
    optional, as the searchable content is present only on request."""

    child = serializers.CharField()

    def to_representation(self, labels) -> list[str]:
        return [label.name for label in labels.all()]


class OfferSummarySerializer(Serializer):
    """The seed's ``offer`` summary of a published course or path."""

    id = serializers.CharField(read_only=True, help_text="The offer (ofr_ id).")
    registration_open = serializers.BooleanField(read_only=True)
    registration_url = serializers.CharField(
        read_only=True, help_text="https://{domain}/checkout/{offer id}."
    )
    price = MoneyReadSerializer(read_only=True)


@extend_schema_field(OfferSummarySerializer(allow_null=True))
class OfferSummaryField(serializers.Field):
    """A publication's offer (null: none), read from the joined offer row."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, publication) -> dict | None:
        return publishing_selectors.offer_summary_of(publication)


# --- published courses -----------------------------------------------------------------------


class CourseTitleSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class PublishedCourseSerializer(ModelSerializer):
    """A published course as the seed shows it, with its offer (null: none)."""

    course = CourseTitleSerializer(read_only=True)
    course_url = serializers.CharField(read_only=True)
    course_series_id = serializers.CharField(read_only=True, allow_null=True)
    offer = OfferSummaryField(allow_null=True)

    class Meta:
        model = PublishedCourse
        fields = [
            "id",
            "course",
            "slug",
            "course_url",
            "hidden",
            "registration_required",
            "registration_starts_at",
            "registration_ends_at",
            "timezone",
            "course_series_id",
            "offer",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @staticmethod
    def row_payload(row: dict) -> dict:
        """The shape of a ``published_course_rows`` row: the same JSON as this serializer
        gives the publication, for lists, which skip model instances and DRF's per-field
        work (most of a search page's cost)."""
        return {
            "id": row["id"],
            "course": {"id": row["course_id"], "title": row["course__title"]},
            "slug": row["slug"],
            "course_url": f"https://{row['domain__name']}/{row['slug']}",
            "hidden": row["hidden"],
            "registration_required": row["registration_required"],
            "registration_starts_at": format_datetime(row["registration_starts_at"]),
            "registration_ends_at": format_datetime(row["registration_ends_at"]),
            "timezone": row["timezone"],
            "course_series_id": row["course_series_id"],
            "offer": publishing_selectors.offer_summary_of_row(row),
            "created_at": format_datetime(row["created_at"]),
            "updated_at": format_datetime(row["updated_at"]),
        }


class LessonListSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)


class PublishedCourseSearchableSerializer(PublishedCourseSerializer):
    """With ``include_searchable_content=true``: the course's searchable content too."""

    # Not read-only only so the schema can say the keys are optional (output-only serializer).
    lesson_list = LessonListSerializer(
        source="course.ordered_lessons", many=True, required=False, help_text=f"With {INCLUDE}."
    )
    tags = LabelNamesField(
        source="course.labels", required=False, help_text=f"The course's labels. With {INCLUDE}."
    )
    short_description = serializers.CharField(source="course.short_description", required=False)
    long_description_html = serializers.CharField(
        source="course.long_description_html", required=False
    )
    search_keywords = serializers.CharField(required=False)

    class Meta(PublishedCourseSerializer.Meta):
        fields = [
            *PublishedCourseSerializer.Meta.fields,
            "lesson_list",
            "tags",
            "short_description",
            "long_description_html",
            "search_keywords",
        ]
        read_only_fields = fields


class _PublishedCourseFields(Serializer):
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Unique on the domain; default the course's."
    )
    hidden = serializers.BooleanField(required=False, help_text="Not listed in the catalog.")
    registration_required = serializers.BooleanField(required=False)
    registration_starts_at = serializers.DateTimeField(required=False, allow_null=True)
    registration_ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="After registration_starts_at."
    )
    timezone = TimezoneField(required=False, help_text="IANA name; default UTC.")
    course_series_id = SchoolPrimaryKeyRelatedField(
        source="course_series",
        queryset=CourseSeries.objects.all(),
        required=False,
        allow_null=True,
        help_text="A course series of this domain.",
    )
    search_keywords = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=10_000,
        help_text="Extra words catalog search finds the course by.",
    )


class PublishedCourseCreateSerializer(_PublishedCourseFields):
    read_shape = PublishedCourseSearchableSerializer

    course_id = SchoolPrimaryKeyRelatedField(source="course", queryset=Course.objects.all())


class PublishedCourseUpdateSerializer(_PublishedCourseFields):
    read_shape = PublishedCourseSearchableSerializer


def _courses_schema(summary: str, description: str = "100 per page.") -> dict:
    return {
        "list": extend_schema(
            summary=summary,
            description=description,
            responses=PublishedCourseSearchableSerializer(many=True),
        ),
    }


class PublishedCourseRowsMixin:
    """Lists of published courses without ``include_searchable_content`` read plain rows
    (``published_course_rows``) and shape them with ``PublishedCourseSerializer.row_payload``;
    with it, the serializer's prefetched shape."""

    @cached_property
    def searchable(self) -> bool:
        """Whether this list or read answers with the searchable content (400 naming
        ``include_searchable_content`` when it is not a boolean); worked out once a request."""
        return self.action in ("list", "retrieve") and include_searchable(self.request)

    def page_rows(self, queryset: QuerySet) -> QuerySet:
        """A page's rows (read by the paginator)."""
        if self.searchable:
            return queryset
        return publishing_selectors.published_course_rows(queryset)

    def list(self, request, *args, **kwargs) -> Response:
        if self.searchable:
            return super().list(request, *args, **kwargs)
        page = self.list_page()
        payloads = [PublishedCourseSerializer.row_payload(row) for row in page]
        return self.get_paginated_response(payloads)


@extend_schema_view(
    **_courses_schema("List the courses published on a domain"),
    retrieve=extend_schema(
        summary="Get a published course",
        parameters=[INCLUDE_PARAMETER],
        responses=PublishedCourseSearchableSerializer,
    ),
    create=extend_schema(
        summary="Publish a course on a domain",
        request=PublishedCourseCreateSerializer,
        responses={201: PublishedCourseSerializer},
    ),
    update=extend_schema(
        summary="Update a published course (partial, as PATCH)",
        request=PublishedCourseUpdateSerializer(partial=True),
        responses=PublishedCourseSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a published course",
        request=PublishedCourseUpdateSerializer(partial=True),
        responses=PublishedCourseSerializer,
    ),
    destroy=extend_schema(summary="Unpublish a course from a domain"),
)
class PublishedCourseViewSet(
    PublishedCourseRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """Courses published on a domain (100 per page), each with its own id."""

    domain = domain_parent(relation="domain")

    queryset = PublishedCourse.objects.all()
    serializer_class = PublishedCourseSerializer
    filterset_class = PublishedCourseFilter
    # PostgreSQL's ranked search hands its term to ``websearch_to_tsquery`` as it is, so a
    # catalog search compiles once (``list_page``); SQLite's substring search rewrites the
    # term (``%term%``) and is built per request.
    prepared_list_filters = ("search",) if connection.vendor == "postgresql" else ()
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "published_course_id"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # ``search`` orders a list; a single publication is read as it is.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return publishing_selectors.published_course_list(
            queryset=queryset, searchable=self.searchable
        )

    def get_serializer_class(self):
        if self.searchable:
            return PublishedCourseSearchableSerializer
        return PublishedCourseSerializer

    def _respond(self, published: PublishedCourse, code: int = status.HTTP_200_OK) -> Response:
        published = publishing_selectors.published_course_list(
            queryset=PublishedCourse.objects.filter(pk=published.pk)
        ).get()
        return Response(PublishedCourseSerializer(published).data, status=code)

    def create(self, request, domain_name: str | None = None) -> Response:
        serializer = PublishedCourseCreateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        published = publishing_services.course_publish(
            domain=self.domain, **serializer.validated_data
        )
        return self._respond(published, status.HTTP_201_CREATED)

    def update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        published = self.get_object()
        serializer = PublishedCourseUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        published = publishing_services.published_course_update(
            published_course=published, **serializer.validated_data
        )
        return self._respond(published)

    def partial_update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        return self.update(request, domain_name=domain_name, **kwargs)

    def perform_destroy(self, instance: PublishedCourse) -> None:
        publishing_services.course_unpublish(published_course=instance)


# --- course series ---------------------------------------------------------------------------


class CourseSeriesSerializer(ModelSerializer):
    published_course_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CourseSeries
        fields = [
            "id",
            "title",
            "description",
            "published_course_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CourseSeriesWriteSerializer(Serializer):
    read_shape = CourseSeriesSerializer

    title = LabelField(max_length=255)
    description = serializers.CharField(allow_blank=True, required=False, max_length=10_000)


@extend_schema_view(
    list=extend_schema(summary="List the course series of a domain", description="100 per page."),
    retrieve=extend_schema(summary="Get a course series"),
    create=extend_schema(
        summary="Create a course series on a domain",
        request=CourseSeriesWriteSerializer,
        responses={201: CourseSeriesSerializer},
    ),
    update=extend_schema(
        summary="Update a course series (partial, as PATCH)",
        request=CourseSeriesWriteSerializer(partial=True),
        responses=CourseSeriesSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a course series",
        request=CourseSeriesWriteSerializer(partial=True),
        responses=CourseSeriesSerializer,
    ),
    destroy=extend_schema(summary="Delete a course series (its courses stay published)"),
)
class CourseSeriesViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """Course series of a domain (100 per page)."""

    domain = domain_parent(relation="domain")

    queryset = CourseSeries.objects.all()
    serializer_class = CourseSeriesSerializer
    search_fields = ["title"]
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "course_series_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return publishing_selectors.course_series_list(queryset=queryset)

    def _respond(self, series: CourseSeries, code: int = status.HTTP_200_OK) -> Response:
        series = publishing_selectors.course_series_list(
            queryset=CourseSeries.objects.filter(pk=series.pk)
        ).get()
        return Response(CourseSeriesSerializer(series).data, status=code)

    def create(self, request, domain_name: str | None = None) -> Response:
        serializer = CourseSeriesWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        series = publishing_services.course_series_create(
            domain=self.domain, **serializer.validated_data
        )
        return self._respond(series, status.HTTP_201_CREATED)

    def update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        series = self.get_object()
        serializer = CourseSeriesWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        series = publishing_services.course_series_update(
            course_series=series, **serializer.validated_data
        )
        return self._respond(series)

    def partial_update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        return self.update(request, domain_name=domain_name, **kwargs)

    def perform_destroy(self, instance: CourseSeries) -> None:
        publishing_services.course_series_delete(course_series=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List the published courses of a course series",
        description="100 per page.",
        responses=PublishedCourseSearchableSerializer(many=True),
    ),
)
class CourseSeriesPublishedCourseViewSet(
    PublishedCourseRowsMixin, mixins.ListModelMixin, SchoolScopedViewSet
):
    """``domains/{domain_name}/course-series/{course_series_id}/published-courses``."""

    domain = domain_parent()
    course_series = Parent(
        CourseSeries.objects.all(),
        url_kwarg="course_series_id",
        within="domain",
        detail="No such course series.",
    )

    queryset = PublishedCourse.objects.all()
    serializer_class = PublishedCourseSerializer
    filterset_class = PublishedCourseFilter
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return publishing_selectors.published_course_list(
            queryset=queryset.filter(domain=self.domain, course_series=self.course_series),
            searchable=self.searchable,
        )

    def get_serializer_class(self):
        if self.searchable:
            return PublishedCourseSearchableSerializer
        return PublishedCourseSerializer


# --- published paths -------------------------------------------------------------------------


class PathSummarySerializer(Serializer):
    """``{id, title, path_item_count}`` of a published path's path."""

    id = serializers.CharField(source="path_id", read_only=True)
    title = serializers.CharField(source="path.title", read_only=True)
    path_item_count = serializers.IntegerField(read_only=True)


class PublishedPathSerializer(ModelSerializer):
    """A published path as the seed shows it, with its offer (null: none)."""

    path = PathSummarySerializer(source="*", read_only=True)
    path_url = serializers.CharField(read_only=True)
    offer = OfferSummaryField(allow_null=True)

    class Meta:
        model = PublishedPath
        fields = ["id", "path", "path_url", "offer", "slug", "created_at", "updated_at"]
        read_only_fields = fields


class PublishedPathSearchableSerializer(PublishedPathSerializer):
    """With ``include_searchable_content=true``: the path's searchable content too."""

    # Not read-only only so the schema can say the keys are optional (output-only serializer).
    path_item_list = PathItemSerializer(
        source="path.ordered_items", many=True, required=False, help_text=f"With {INCLUDE}."
    )
    title = serializers.CharField(source="path.title", required=False)
    short_description = serializers.CharField(source="path.short_description", required=False)
    long_description_html = serializers.CharField(
        source="path.long_description_html", required=False
    )
    search_keywords = serializers.CharField(source="path.search_keywords", required=False)
    tags = LabelNamesField(
        source="path.labels", required=False, help_text=f"The path's labels. With {INCLUDE}."
    )
    hidden = serializers.BooleanField(required=False)

    class Meta(PublishedPathSerializer.Meta):
        fields = [
            *PublishedPathSerializer.Meta.fields,
            "path_item_list",
            "title",
            "short_description",
            "long_description_html",
            "search_keywords",
            "tags",
            "hidden",
        ]
        read_only_fields = fields


class _PublishedPathFields(Serializer):
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Unique on the domain; default the path's."
    )
    hidden = serializers.BooleanField(required=False, help_text="Not listed in the catalog.")


class PublishedPathCreateSerializer(_PublishedPathFields):
    read_shape = PublishedPathSearchableSerializer

    path_id = SchoolPrimaryKeyRelatedField(source="path", queryset=Path.objects.all())


class PublishedPathUpdateSerializer(_PublishedPathFields):
    read_shape = PublishedPathSearchableSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List the paths published on a domain",
        description="100 per page. search does not look inside path_item_list.",
        responses=PublishedPathSearchableSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Get a published path",
        parameters=[INCLUDE_PARAMETER],
        responses=PublishedPathSearchableSerializer,
    ),
    create=extend_schema(
        summary="Publish a path on a domain",
        request=PublishedPathCreateSerializer,
        responses={201: PublishedPathSerializer},
    ),
    update=extend_schema(
        summary="Update a published path (partial, as PATCH)",
        request=PublishedPathUpdateSerializer(partial=True),
        responses=PublishedPathSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a published path",
        request=PublishedPathUpdateSerializer(partial=True),
        responses=PublishedPathSerializer,
    ),
    destroy=extend_schema(summary="Unpublish a path from a domain"),
)
class PublishedPathViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """Paths published on a domain (100 per page), each with its own id."""

    domain = domain_parent(relation="domain")

    queryset = PublishedPath.objects.all()
    serializer_class = PublishedPathSerializer
    filterset_class = PublishedPathFilter
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "published_path_id"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # ``search`` orders a list; a single publication is read as it is.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        searchable = self.action in ("list", "retrieve") and include_searchable(self.request)
        return publishing_selectors.published_path_list(queryset=queryset, searchable=searchable)

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and include_searchable(self.request):
            return PublishedPathSearchableSerializer
        return PublishedPathSerializer

    def _respond(self, published: PublishedPath, code: int = status.HTTP_200_OK) -> Response:
        published = publishing_selectors.published_path_list(
            queryset=PublishedPath.objects.filter(pk=published.pk)
        ).get()
        return Response(PublishedPathSerializer(published).data, status=code)

    def create(self, request, domain_name: str | None = None) -> Response:
        serializer = PublishedPathCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        published = publishing_services.path_publish(
            domain=self.domain, **serializer.validated_data
        )
        return self._respond(published, status.HTTP_201_CREATED)

    def update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        published = self.get_object()
        serializer = PublishedPathUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        published = publishing_services.published_path_update(
            published_path=published, **serializer.validated_data
        )
        return self._respond(published)

    def partial_update(self, request, domain_name: str | None = None, **kwargs) -> Response:
        return self.update(request, domain_name=domain_name, **kwargs)

    def perform_destroy(self, instance: PublishedPath) -> None:
        publishing_services.path_unpublish(published_path=instance)
