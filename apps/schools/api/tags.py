"""``tags``: the labels a school puts on its users (LearnWorlds' tags)."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer
from apps.core.filters import FilterSet
from apps.schools.models import Tag
from apps.schools.selectors.people import tag_list


class TagSerializer(ModelSerializer):
    user_count = serializers.IntegerField(read_only=True, help_text="Users who carry the tag.")

    class Meta:
        model = Tag
        fields = ["id", "name", "user_count", "created_at", "updated_at"]
        read_only_fields = fields


class TagFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact", help_text="A name, in any case.")

    class Meta:
        model = Tag
        fields = ["name"]


@extend_schema_view(list=extend_schema(summary="List the school's tags"))
class TagViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Every tag of the school by name (100 per page); tags are set on users
    (``PUT /users/{id}/tags``) and on live sessions."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = TagFilter
    scopes = ("read:users", "write:users")
    allow_user_tokens = False

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return tag_list(queryset=queryset)
