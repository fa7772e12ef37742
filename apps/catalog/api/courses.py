"""``courses`` (Skilljar v1 plus LearnFlow's catalogue fields), ``courses/{id}/labels``,
``courses/{id}/sections`` and ``courses/{id}/contents`` (LearnWorlds), and ``labels``."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.api.lessons import LessonSerializer, SectionWriteSerializer
from apps.catalog.models import Course, Label
from apps.catalog.selectors import courses as course_selectors
from apps.catalog.services import courses as course_services
from apps.catalog.services import lessons as lesson_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import (
    CaseInsensitiveChoiceField,
    LabelField,
    WebUrlField,
)
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.schools.api.nested import member_field
from apps.schools.models import Member


class InstructorSerializer(Serializer):
    """``{id, name}`` of the course's instructor (the person's ``usr_`` id)."""

    id = serializers.CharField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, member: Member) -> str:
        return member.user.get_full_name() or member.user.email


class CourseSerializer(ModelSerializer):
    """A course as ``GET courses`` lists it."""

    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    instructor = InstructorSerializer(read_only=True, allow_null=True)
    duration_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    # Plain strings: a URL may be an IRI (non-ASCII host or path), which "format: uri" is not.
    thumbnail_url = serializers.CharField(read_only=True, allow_null=True)
    total_lessons = serializers.IntegerField(
        read_only=True, help_text="Lessons of the course, section headings not counted."
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "short_description",
            "long_description_html",
            "enforce_sequential_navigation",
            "labels",
            "slug",
            "category",
            "level",
            "instructor",
            "thumbnail_url",
            "duration_hours",
            "total_lessons",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CourseWriteSerializer(Serializer):
    read_shape = CourseSerializer

    title = LabelField(max_length=255)
    short_description = serializers.CharField(max_length=1000, allow_blank=True)
    enforce_sequential_navigation = serializers.BooleanField()
    long_description_html = serializers.CharField(
        allow_blank=True, required=False, max_length=200_000, help_text="Sanitised on the way in."
    )
    labels = serializers.ListField(child=LabelField(max_length=100), required=False, max_length=100)
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Unique in the school; made from the title."
    )
    category = LabelField(max_length=100, allow_blank=True, required=False)
    level = CaseInsensitiveChoiceField(
        choices=Course.Level.choices, required=False, allow_null=True
    )
    instructor_id = member_field(
        source="instructor",
        required=False,
        allow_null=True,
        help_text="A person of the school (usr_ id) who teaches the course.",
    )
    thumbnail_url = WebUrlField(allow_blank=True, allow_null=True, required=False)
    duration_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class CourseFilter(FilterSet):
    category = django_filters.CharFilter(
        field_name="category", lookup_expr="iexact", help_text="Category, in any letter case."
    )
    level = ChoiceFilter(choices=Course.Level.choices)
    instructor_id = django_filters.CharFilter(
        field_name="instructor__user_id", help_text="The instructor's usr_ id."
    )
    label = django_filters.CharFilter(
        field_name="labels__name", lookup_expr="iexact", help_text="A label the course has."
    )

    class Meta:
        model = Course
        fields = ["category", "level", "instructor_id", "label"]


class CourseSectionSerializer(Serializer):
    """A section and its lessons; lessons before the first heading have ``id`` null. (The
    shape for the schema: the answer is built by ``selectors.courses.course_contents``.)"""

    id = serializers.CharField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True, allow_null=True)
    drip_days_after_enrollment = serializers.IntegerField(read_only=True, allow_null=True)
    drip_release_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lessons = LessonSerializer(many=True, read_only=True)


class CourseContentsSerializer(Serializer):
    """``{course_id, sections: [{id, title, order, drip…, lessons: [...]}]}``."""

    course_id = serializers.CharField(read_only=True)
    sections = CourseSectionSerializer(many=True, read_only=True)


class LabelSerializer(ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List courses"),
    retrieve=extend_schema(summary="Get a course"),
    create=extend_schema(
        summary="Create a course", request=CourseWriteSerializer, responses={201: CourseSerializer}
    ),
    update=extend_schema(
        summary="Update a course (partial, as PATCH)",
        request=CourseWriteSerializer(partial=True),
        responses=CourseSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a course",
        request=CourseWriteSerializer(partial=True),
        responses=CourseSerializer,
    ),
)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's courses (100 per page); ``search`` looks in titles and descriptions."""

    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilter
    search_fields = ["title", "short_description"]
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "course_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action in ("contents", "labels", "sections"):
            return queryset  # the course's own row is all these need
        return course_selectors.course_list(queryset=queryset)

    def _respond(self, course: Course, status_code: int = status.HTTP_200_OK) -> Response:
        course = course_selectors.course_list(queryset=Course.objects.filter(pk=course.pk)).get()
        return Response(CourseSerializer(course).data, status=status_code)

    def create(self, request) -> Response:
        serializer = CourseWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        course = course_services.course_create(school=self.school, **serializer.validated_data)
        return self._respond(course, status.HTTP_201_CREATED)

    def update(self, request, course_id: str | None = None) -> Response:
        course = self.get_object()
        serializer = CourseWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            course_services.course_update(course=course, **serializer.validated_data)
        )

    def partial_update(self, request, course_id: str | None = None) -> Response:
        return self.update(request, course_id=course_id)

    @extend_schema(summary="List a course's labels", responses=LabelSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="labels")
    def labels(self, request, course_id: str | None = None) -> Response:
        course = self.get_object()
        queryset = course_selectors.label_list(queryset=course.labels.all())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(LabelSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a course's sections and lessons, in order",
        responses=CourseContentsSerializer,
    )
    @action(detail=True, methods=["get"], url_path="contents", pagination_class=None)
    def contents(self, request, course_id: str | None = None) -> Response:
        course = self.get_object()
        sections = course_selectors.course_contents(course=course)
        return Response({"course_id": course.id, "sections": sections})

    @extend_schema(
        summary="Add a section heading to a course",
        request=SectionWriteSerializer,
        responses={201: LessonSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sections")
    def sections(self, request, course_id: str | None = None) -> Response:
        course = self.get_object()
        serializer = SectionWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        section = lesson_services.section_create(course=course, **serializer.validated_data)
        return Response(LessonSerializer(section).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List the school's course labels"))
class LabelViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Every label the school's courses use, by name (100 per page)."""

    queryset = Label.objects.all()
    serializer_class = LabelSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return course_selectors.label_list(queryset=queryset)
