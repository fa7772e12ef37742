"""LearnWorlds-style ``user-roles``, ``users/{id}/user-role``, ``users/segments`` and
``users/by-segment``."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.errors import NotFound
from apps.core.filters import FilterSet
from apps.schools.api.nested import SchoolPrimaryKeyRelatedField
from apps.schools.api.serializers import UserSerializer
from apps.schools.models import Member, Segment, UserRole
from apps.schools.selectors import roles as roles_selectors
from apps.schools.selectors import segments
from apps.schools.services import roles as roles_services


class UserRoleSerializer(ModelSerializer):
    """A role: ``role`` is the access level it grants; ``builtin`` roles always exist."""

    class Meta:
        model = UserRole
        fields = ["id", "title", "description", "role", "builtin"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List user roles (by title)"),
    retrieve=extend_schema(summary="Get a user role"),
)
class UserRoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's user roles in ascending title order; custom roles are added in the admin."""

    queryset = UserRole.objects.all()
    serializer_class = UserRoleSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "user_role_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return roles_selectors.user_role_list(school=self.school, queryset=queryset)


class UserRoleAssignSerializer(Serializer):
    role_id = SchoolPrimaryKeyRelatedField(
        queryset=UserRole.objects.all(), help_text="The role (rol_ id) to give the user."
    )


class UserRoleAssignmentViewSet(SchoolScopedViewSet):
    """``users/{user_id}/user-role``: read or set a user's role (a user token reads its own)."""

    queryset = Member.objects.all()
    serializer_class = UserRoleSerializer
    scopes = ("read:users", "write:users")
    owner_field = "user"
    lookup_field = "user_id"
    lookup_url_kwarg = "user_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("user_role", "school")

    @extend_schema(
        methods=["GET"], summary="Get a user's role", request=None, responses=UserRoleSerializer
    )
    @extend_schema(
        methods=["PUT"],
        summary="Set a user's role",
        request=UserRoleAssignSerializer,
        responses=UserRoleSerializer,
    )
    @action(detail=True, methods=["get", "put"], url_path="user-role")
    def user_role(self, request, user_id: str | None = None) -> Response:
        member = self.get_object()
        if request.method == "PUT":
            serializer = UserRoleAssignSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            member = roles_services.member_set_user_role(
                member=member, user_role=serializer.validated_data["role_id"]
            )
        return Response(UserRoleSerializer(roles_selectors.member_user_role(member=member)).data)


class SegmentSerializer(ModelSerializer):
    """A saved filter over the school's users (see the README for the filter keys)."""

    class Meta:
        model = Segment
        fields = ["id", "name", "description", "filters", "created_at", "updated_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List user segments"),
    retrieve=extend_schema(summary="Get a user segment"),
)
class SegmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's segments by name; staff define them in the admin."""

    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "segment_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("name", "id")


class UserSegmentFilter(FilterSet):
    """``segment_id`` (required): the users the caller's school's segment selects now."""

    segment_id = django_filters.CharFilter(
        method="filter_segment", required=True, help_text="The segment (seg_)."
    )

    class Meta:
        model = Member
        fields = ["segment_id"]

    def filter_segment(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        school = getattr(getattr(self.request, "auth", None), "school", None)
        segment = None if school is None else segments.segment_get(school=school, id=value.strip())
        if segment is None:
            raise NotFound("No such segment.")
        return segments.segment_members(segment=segment, queryset=queryset)


class UserSegmentViewSet(SchoolScopedViewSet):
    """``users/by-segment?segment_id=``: the users a segment selects, evaluated in SQL."""

    queryset = Member.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserSegmentFilter
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    page_size = 1000
    max_page_size = 1000

    @extend_schema(
        summary="List the users in a segment",
        parameters=[
            OpenApiParameter(
                "segment_id",
                {"type": "string", "pattern": "^[^\x00]*[^\x00\\s][^\x00]*$"},
                required=True,
                description="The segment (seg_).",
            )
        ],
        responses=UserSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="by-segment")
    def by_segment(self, request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.order_by("id"))
        return self.get_paginated_response(UserSerializer(page, many=True).data)
