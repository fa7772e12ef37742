"""``lessons`` and ``lessons/{lesson_id}/content-items`` (Skilljar v1), with drip schedules."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import (
    Asset,
    ContentItem,
    ContentItemType,
    Course,
    Lesson,
    LessonType,
    Quiz,
    WebPackage,
)
from apps.catalog.selectors.courses import LESSON_COLUMNS
from apps.catalog.services import lessons as lesson_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import (
    CaseInsensitiveChoiceField,
    LabelField,
    SchoolPrimaryKeyRelatedField,
)
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import ChoiceFilter, FilterSet


class LessonSerializer(ModelSerializer):
    """A lesson as ``GET lessons`` lists it (Skilljar's fields plus its drip schedule)."""

    course_id = serializers.CharField(read_only=True)
    content_asset_id = serializers.CharField(read_only=True, allow_null=True)
    content_quiz_id = serializers.CharField(read_only=True, allow_null=True)
    content_web_package_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Lesson
        fields = list(LESSON_COLUMNS)
        read_only_fields = fields


def _reference(model, name: str, help_text: str) -> SchoolPrimaryKeyRelatedField:
    return SchoolPrimaryKeyRelatedField(
        source=name,
        queryset=model.objects.all(),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class _DripFields(Serializer):
    drip_days_after_enrollment = serializers.IntegerField(
        min_value=0,
        max_value=36500,
        required=False,
        allow_null=True,
        help_text="Released this many days after the learner enrolls (on a heading: its "
        "section). Not together with drip_release_at.",
    )
    drip_release_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Released at this time. Not together with drip_days_after_enrollment.",
    )


class LessonWriteSerializer(_DripFields):
    read_shape = LessonSerializer

    type = CaseInsensitiveChoiceField(choices=LessonType.choices)
    order = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        help_text="Position in the course, 1 to n + 1; later lessons move down.",
    )
    title = LabelField(max_length=255)
    course_id = SchoolPrimaryKeyRelatedField(source="course", queryset=Course.objects.all())
    content_html = serializers.CharField(allow_blank=True, required=False, max_length=500_000)
    content_asset_id = _reference(Asset, "content_asset", "An asset (ASSET or VIDEO lessons).")
    content_quiz_id = _reference(Quiz, "content_quiz", "A quiz (QUIZ lessons).")
    content_web_package_id = _reference(
        WebPackage, "content_web_package", "A web package (WEB_PACKAGE lessons)."
    )
    description_html = serializers.CharField(allow_blank=True, required=False, max_length=100_000)
    tooltip_html = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    display_fullscreen = serializers.BooleanField(required=False)
    optional = serializers.BooleanField(
        required=False, help_text="Not needed to complete the course (a heading: its section)."
    )
    requires_validation = serializers.BooleanField(
        required=False,
        help_text="Finishing the content does not complete the lesson; a passed "
        "validation_status on the learner's progress does.",
    )
    search_keywords = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    time_seconds = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="ASSIGNMENT lessons: submissions are due by this time (the same for every "
        "learner; listed in school/events). Null: no due date.",
    )
    allow_late_submissions = serializers.BooleanField(
        required=False,
        help_text="ASSIGNMENT lessons: accept submissions after due_at (default false: 409 "
        "assignment_past_due).",
    )


class SectionWriteSerializer(_DripFields):
    """A section heading: its title, position and the drip schedule of its lessons."""

    title = LabelField(max_length=255)
    order = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="Position in the course; default the end.",
    )


class LessonFilter(FilterSet):
    course_id = django_filters.CharFilter(field_name="course_id", help_text="A course (crs_ id).")
    type = ChoiceFilter(choices=LessonType.choices)

    class Meta:
        model = Lesson
        fields = ["course_id", "type"]


@extend_schema_view(
    list=extend_schema(summary="List lessons (by course, in order)"),
    retrieve=extend_schema(summary="Get a lesson"),
    create=extend_schema(
        summary="Create a lesson in a course",
        request=LessonWriteSerializer,
        responses={201: LessonSerializer},
    ),
    update=extend_schema(
        summary="Update a lesson (partial, as PATCH)",
        request=LessonWriteSerializer(partial=True),
        responses=LessonSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a lesson",
        request=LessonWriteSerializer(partial=True),
        responses=LessonSerializer,
    ),
)
class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Lessons of the school's courses (100 per page), by course and position."""

    queryset = Lesson.objects.all()
    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "lesson_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("course_id", "order")

    def create(self, request) -> Response:
        serializer = LessonWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lesson = lesson_services.lesson_create(**serializer.validated_data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    def update(self, request, lesson_id: str | None = None) -> Response:
        lesson = self.get_object()
        serializer = LessonWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        lesson = lesson_services.lesson_update(lesson=lesson, **serializer.validated_data)
        return Response(LessonSerializer(lesson).data)

    def partial_update(self, request, lesson_id: str | None = None) -> Response:
        return self.update(request, lesson_id=lesson_id)


# --- content items ---------------------------------------------------------------------------


class ContentItemSerializer(ModelSerializer):
    lesson_id = serializers.CharField(read_only=True)
    content_asset_id = serializers.CharField(read_only=True, allow_null=True)
    content_quiz_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "lesson_id",
            "header",
            "order",
            "type",
            "content_html",
            "content_asset_id",
            "content_quiz_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContentItemWriteSerializer(Serializer):
    read_shape = ContentItemSerializer

    header = LabelField(max_length=255)
    order = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        help_text="Position in the lesson, 1 to n + 1; later items move down.",
    )
    type = CaseInsensitiveChoiceField(choices=ContentItemType.choices)
    content_html = serializers.CharField(allow_blank=True, required=False, max_length=500_000)
    content_asset_id = _reference(Asset, "content_asset", "An asset (ASSET items).")
    content_quiz_id = _reference(Quiz, "content_quiz", "A quiz (QUIZ items).")
    lesson_id = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(),
        required=False,
        write_only=True,
        help_text="Accepted for Skilljar clients; must be the lesson of the path.",
    )


@extend_schema_view(
    list=extend_schema(summary="List a lesson's content items, in order"),
    retrieve=extend_schema(summary="Get a content item"),
    create=extend_schema(
        summary="Add a content item to a lesson",
        request=ContentItemWriteSerializer,
        responses={201: ContentItemSerializer},
    ),
    update=extend_schema(
        summary="Update a content item (partial, as PATCH)",
        request=ContentItemWriteSerializer(partial=True),
        responses=ContentItemSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a content item",
        request=ContentItemWriteSerializer(partial=True),
        responses=ContentItemSerializer,
    ),
)
class ContentItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """``lessons/{lesson_id}/content-items``: the blocks of a lesson's page (100 per page)."""

    queryset = ContentItem.objects.all()
    serializer_class = ContentItemSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lesson = Parent(Lesson.objects.all(), url_kwarg="lesson_id", detail="No such lesson.")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(lesson=self.lesson).order_by("order")

    def _fields(self, request, *, partial: bool) -> dict:
        serializer = ContentItemWriteSerializer(
            data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        given = fields.pop("lesson_id", None)
        if given is not None and given.pk != self.lesson.pk:
            raise serializers.ValidationError(
                {"lesson_id": ["Must be the lesson of the path, or left out."]}
            )
        return fields

    def create(self, request, lesson_id: str | None = None) -> Response:
        item = lesson_services.content_item_create(
            lesson=self.lesson, **self._fields(request, partial=False)
        )
        return Response(ContentItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, lesson_id: str | None = None, pk: str | None = None) -> Response:
        item = self.get_object()
        fields = self._fields(request, partial=True)
        item = lesson_services.content_item_update(content_item=item, **fields)
        return Response(ContentItemSerializer(item).data)

    def partial_update(self, request, lesson_id: str | None = None, pk: str | None = None):
        return self.update(request, lesson_id=lesson_id, pk=pk)
