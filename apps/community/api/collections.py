"""``community/collections`` (LearnWorlds): named groups of spaces, oldest first."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.community.models import Collection
from apps.community.selectors import spaces as space_selectors
from apps.community.services import spaces as space_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import LabelField
from apps.core.api.serializers import ModelSerializer, Serializer

TITLE_MAX = Collection._meta.get_field("title").max_length
DESCRIPTION_MAX = Collection._meta.get_field("description").max_length


class CollectionSerializer(ModelSerializer):
    """A collection and how many live spaces it groups."""

    space_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["id", "title", "description", "space_count", "created_at", "updated_at"]
        read_only_fields = fields


class CollectionWriteSerializer(Serializer):
    """A collection's input: ``title`` is required on creation."""

    title = LabelField(max_length=TITLE_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, required=False
    )


@extend_schema_view(
    list=extend_schema(summary="List community collections", description="Oldest first."),
    retrieve=extend_schema(summary="Get a community collection"),
    create=extend_schema(
        summary="Create a community collection",
        request=CollectionWriteSerializer,
        responses={201: CollectionSerializer},
    ),
    update=extend_schema(
        summary="Update a community collection (partial, as PATCH)",
        request=CollectionWriteSerializer(partial=True),
        responses=CollectionSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a community collection",
        request=CollectionWriteSerializer(partial=True),
        responses=CollectionSerializer,
    ),
)
class CollectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's community collections (100 per page, oldest first); staff write them."""

    queryset = Collection.objects.all()
    serializer_class = CollectionSerializer
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "collection_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return space_selectors.collection_list(queryset=queryset)

    def _respond(self, collection: Collection, status_code: int = status.HTTP_200_OK) -> Response:
        collection = space_selectors.collection_list(
            queryset=Collection.objects.filter(pk=collection.pk)
        ).get()
        return Response(CollectionSerializer(collection).data, status=status_code)

    def create(self, request) -> Response:
        serializer = CollectionWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        collection = space_services.collection_create(
            school=self.school, **serializer.validated_data
        )
        return self._respond(collection, status.HTTP_201_CREATED)

    def update(self, request, collection_id: str | None = None) -> Response:
        collection = self.get_object()
        serializer = CollectionWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            space_services.collection_update(collection=collection, **serializer.validated_data)
        )

    def partial_update(self, request, collection_id: str | None = None) -> Response:
        return self.update(request, collection_id=collection_id)
