"""``paths`` and ``paths/{path_id}/path-items`` (Skilljar v1; Coursepath's programs are
paths), and ``bundles`` (LearnWorlds)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import Bundle, Course, Path, PathItem
from apps.catalog.selectors import paths as path_selectors
from apps.catalog.services import paths as path_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import LabelField, SchoolPrimaryKeyRelatedField
from apps.core.api.money import MoneyReadSerializer, MoneySerializer
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.money import money

# --- paths -----------------------------------------------------------------------------------


class PathSerializer(ModelSerializer):
    """A path as ``GET paths`` lists it: Skilljar's ``{id, title, path_item_count}`` and the
    path's catalogue fields."""

    path_item_count = serializers.IntegerField(read_only=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Path
        fields = [
            "id",
            "title",
            "path_item_count",
            "slug",
            "short_description",
            "long_description_html",
            "search_keywords",
            "labels",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PathWriteSerializer(Serializer):
    read_shape = PathSerializer

    title = LabelField(max_length=255)
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Unique in the school; made from the title."
    )
    short_description = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    long_description_html = serializers.CharField(
        allow_blank=True, required=False, max_length=200_000, help_text="Sanitised on the way in."
    )
    search_keywords = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    labels = serializers.ListField(child=LabelField(max_length=100), required=False, max_length=100)


@extend_schema_view(
    list=extend_schema(summary="List paths"),
    retrieve=extend_schema(summary="Get a path"),
    create=extend_schema(
        summary="Create a path", request=PathWriteSerializer, responses={201: PathSerializer}
    ),
    update=extend_schema(
        summary="Update a path (partial, as PATCH)",
        request=PathWriteSerializer(partial=True),
        responses=PathSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a path",
        request=PathWriteSerializer(partial=True),
        responses=PathSerializer,
    ),
)
class PathViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's learning paths (100 per page); ``search`` looks in titles and short
    descriptions."""

    queryset = Path.objects.all()
    serializer_class = PathSerializer
    search_fields = ["title", "short_description"]
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "path_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return path_selectors.path_list(queryset=queryset)

    def _respond(self, path: Path, status_code: int = status.HTTP_200_OK) -> Response:
        path = path_selectors.path_list(queryset=Path.objects.filter(pk=path.pk)).get()
        return Response(PathSerializer(path).data, status=status_code)

    def create(self, request) -> Response:
        serializer = PathWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        path = path_services.path_create(school=self.school, **serializer.validated_data)
        return self._respond(path, status.HTTP_201_CREATED)

    def update(self, request, path_id: str | None = None) -> Response:
        path = self.get_object()
        serializer = PathWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(path_services.path_update(path=path, **serializer.validated_data))

    def partial_update(self, request, path_id: str | None = None) -> Response:
        return self.update(request, path_id=path_id)


# --- path items ------------------------------------------------------------------------------


class PathCourseSerializer(Serializer):
    """``{id, title, lesson_count, required_lesson_count}``: headings are not lessons, and
    optional lessons (or lessons of an optional section) are not required."""

    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    lesson_count = serializers.SerializerMethodField()
    required_lesson_count = serializers.SerializerMethodField()

    def get_lesson_count(self, course: Course) -> int:
        return path_selectors.lesson_counts(course.ordered_lessons)[0]

    def get_required_lesson_count(self, course: Course) -> int:
        return path_selectors.lesson_counts(course.ordered_lessons)[1]


class PathItemSerializer(ModelSerializer):
    course = PathCourseSerializer(read_only=True)

    class Meta:
        model = PathItem
        fields = ["id", "slug", "course", "order", "created_at", "updated_at"]
        read_only_fields = fields


class PathItemWriteSerializer(Serializer):
    read_shape = PathItemSerializer

    course_id = SchoolPrimaryKeyRelatedField(
        source="course", queryset=Course.objects.all(), help_text="A course of the school."
    )
    order = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="Position in the path: on create 1 to n + 1 (default the end; later items "
        "move down), on update 1 to n (the items between shift).",
    )
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Default: the course's slug."
    )


@extend_schema_view(
    list=extend_schema(summary="List a path's items, in order"),
    retrieve=extend_schema(summary="Get a path item"),
    create=extend_schema(
        summary="Add a course to a path",
        request=PathItemWriteSerializer,
        responses={201: PathItemSerializer},
    ),
    update=extend_schema(
        summary="Update or move a path item (partial, as PATCH)",
        request=PathItemWriteSerializer(partial=True),
        responses=PathItemSerializer,
    ),
    partial_update=extend_schema(
        summary="Update or move a path item",
        request=PathItemWriteSerializer(partial=True),
        responses=PathItemSerializer,
    ),
    destroy=extend_schema(summary="Remove a course from a path (later items move up)"),
)
class PathItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """``paths/{path_id}/path-items``: the courses of a path in order (100 per page); an
    item is moved with ``order`` and removed with DELETE, positions staying 1 to n."""

    queryset = PathItem.objects.all()
    serializer_class = PathItemSerializer
    search_fields = ["course__title", "slug"]
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "path_item_id"
    path = Parent(Path.objects.all(), url_kwarg="path_id", detail="No such path.")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return path_selectors.path_item_list(queryset=queryset.filter(path=self.path))

    def _respond(self, item: PathItem, status_code: int = status.HTTP_200_OK) -> Response:
        item = path_selectors.path_item_list(queryset=PathItem.objects.filter(pk=item.pk)).get()
        return Response(PathItemSerializer(item).data, status=status_code)

    def create(self, request, path_id: str | None = None) -> Response:
        serializer = PathItemWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        item = path_services.path_item_create(path=self.path, **serializer.validated_data)
        return self._respond(item, status.HTTP_201_CREATED)

    def update(
        self, request, path_id: str | None = None, path_item_id: str | None = None
    ) -> Response:
        item = self.get_object()
        serializer = PathItemWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        item = path_services.path_item_update(path_item=item, **serializer.validated_data)
        return self._respond(item)

    def partial_update(
        self, request, path_id: str | None = None, path_item_id: str | None = None
    ) -> Response:
        return self.update(request, path_id=path_id, path_item_id=path_item_id)

    def perform_destroy(self, instance: PathItem) -> None:
        path_services.path_item_delete(path_item=instance)


# --- bundles ---------------------------------------------------------------------------------


class CourseRefSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


@extend_schema_field(MoneyReadSerializer(allow_null=True))
class BundlePriceField(serializers.Field):
    """The bundle's price read from its two columns (null: not for sale)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, bundle: Bundle) -> dict | None:
        return money(bundle.price_cents, bundle.currency_code)


class BundleSerializer(ModelSerializer):
    """A bundle: the courses it sells together and its price."""

    courses = CourseRefSerializer(many=True, read_only=True)
    price = BundlePriceField(allow_null=True)

    class Meta:
        model = Bundle
        fields = ["id", "title", "description", "courses", "price", "created_at", "updated_at"]
        read_only_fields = fields


class BundleWriteSerializer(Serializer):
    read_shape = BundleSerializer

    title = LabelField(max_length=255)
    description = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    course_ids = SchoolPrimaryKeyRelatedField(
        source="courses",
        queryset=Course.objects.all(),
        many=True,
        required=False,
        help_text="The school's courses in the bundle (replaces the set on update).",
    )
    price = MoneySerializer(
        required=False,
        allow_null=True,
        help_text="In the currency's own decimals (JPY none, USD two); null: not for sale.",
    )


@extend_schema_view(
    list=extend_schema(summary="List bundles"),
    retrieve=extend_schema(summary="Get a bundle"),
    create=extend_schema(
        summary="Create a bundle", request=BundleWriteSerializer, responses={201: BundleSerializer}
    ),
    update=extend_schema(
        summary="Update a bundle (partial, as PATCH)",
        request=BundleWriteSerializer(partial=True),
        responses=BundleSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a bundle",
        request=BundleWriteSerializer(partial=True),
        responses=BundleSerializer,
    ),
)
class BundleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's bundles of courses (100 per page)."""

    queryset = Bundle.objects.all()
    serializer_class = BundleSerializer
    search_fields = ["title"]
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "bundle_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return path_selectors.bundle_list(queryset=queryset)

    def _respond(self, bundle: Bundle, status_code: int = status.HTTP_200_OK) -> Response:
        bundle = path_selectors.bundle_list(queryset=Bundle.objects.filter(pk=bundle.pk)).get()
        return Response(BundleSerializer(bundle).data, status=status_code)

    def create(self, request) -> Response:
        serializer = BundleWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        bundle = path_services.bundle_create(school=self.school, **serializer.validated_data)
        return self._respond(bundle, status.HTTP_201_CREATED)

    def update(self, request, bundle_id: str | None = None) -> Response:
        bundle = self.get_object()
        serializer = BundleWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            path_services.bundle_update(bundle=bundle, **serializer.validated_data)
        )

    def partial_update(self, request, bundle_id: str | None = None) -> Response:
        return self.update(request, bundle_id=bundle_id)
