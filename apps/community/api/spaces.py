"""``community/spaces`` (LearnWorlds): the school's spaces, as the caller may see them.

Staff (API keys) see and write every live space. A learner's user token lists the spaces
``apps.community.selectors.access.spaces_visible_to`` allows, and acts for itself through
``join``, ``accept`` and ``decline``.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.response import Response

from apps.catalog.models import Course
from apps.community.api.members import SpaceMemberSerializer
from apps.community.codes import CommunityErrorCode
from apps.community.models import Collection, Space
from apps.community.selectors import access
from apps.community.selectors import spaces as space_selectors
from apps.community.services import members as member_services
from apps.community.services import spaces as space_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import LabelField, SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.errors import ApiError
from apps.core.filters import BooleanFilter, ChoiceFilter, FilterSet

TITLE_MAX = Space._meta.get_field("title").max_length
DESCRIPTION_MAX = Space._meta.get_field("description").max_length


class SpaceReferenceField(SchoolPrimaryKeyRelatedField):
    """A nullable reference that refuses ``""``: DRF's related fields read an empty string as
    null, which the schema (an id of at least one character, or null) does not allow."""

    def run_validation(self, data: Any = empty) -> Any:
        if data == "":
            self.fail("does_not_exist", pk_value=data)
        return super().run_validation(data)


class SpaceSerializer(ModelSerializer):
    """A space: where it sits, who may see it, and how many active members it has."""

    collection_id = serializers.CharField(read_only=True, allow_null=True)
    course_id = serializers.CharField(read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True, help_text="Active members.")

    class Meta:
        model = Space
        fields = [
            "id",
            "title",
            "description",
            "collection_id",
            "visibility",
            "is_invitation_required",
            "course_id",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SpaceWriteSerializer(Serializer):
    """A space's input: ``title`` is required on creation; the description is HTML
    (sanitised: scripts and event handlers are dropped)."""

    title = LabelField(max_length=TITLE_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, required=False
    )
    collection_id = SpaceReferenceField(
        source="collection",
        queryset=Collection.objects.all(),
        required=False,
        allow_null=True,
        help_text="A collection of the school (ccl_ id); null: none.",
    )
    visibility = serializers.ChoiceField(
        choices=Space.Visibility.choices,
        required=False,
        help_text="public (default): everyone of the school; private: listed to everyone, "
        "members and content for members; secret: known to its members only.",
    )
    is_invitation_required = serializers.BooleanField(
        required=False, help_text="Adding people invites them instead; default false."
    )
    course_id = SpaceReferenceField(
        source="course",
        queryset=Course.objects.all(),
        required=False,
        allow_null=True,
        help_text="A course of the school whose enrolled learners may see and join the space.",
    )


class SpaceFilter(FilterSet):
    collection_id = django_filters.CharFilter(
        field_name="collection_id", help_text="A collection (ccl_ id)."
    )
    course_id = django_filters.CharFilter(field_name="course_id", help_text="A course (crs_ id).")
    visibility = ChoiceFilter(field_name="visibility", choices=Space.Visibility.choices)
    is_invitation_required = BooleanFilter(field_name="is_invitation_required")

    class Meta:
        model = Space
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List community spaces",
        description="Oldest first. A user token lists the spaces it may see: public and "
        "private ones, and secret ones it belongs to, is invited to or whose course it takes.",
    ),
    retrieve=extend_schema(summary="Get a community space"),
    create=extend_schema(
        summary="Create a community space",
        request=SpaceWriteSerializer,
        responses={201: SpaceSerializer},
    ),
    update=extend_schema(
        summary="Update a community space (partial, as PATCH)",
        request=SpaceWriteSerializer(partial=True),
        responses=SpaceSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a community space",
        request=SpaceWriteSerializer(partial=True),
        responses=SpaceSerializer,
    ),
    destroy=extend_schema(
        summary="Delete a community space",
        description="Removed when empty; a space holding posts is soft-deleted (gone from the "
        "API, restorable by staff in the admin).",
    ),
)
class SpaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SchoolScopedViewSet
):
    """The school's community spaces (100 per page, oldest first)."""

    queryset = Space.objects.all()
    serializer_class = SpaceSerializer
    filterset_class = SpaceFilter
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "space_id"
    owner_write_actions = ("join", "accept", "decline")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        visible = access.spaces_visible_to(credential=self.credential, queryset=queryset)
        return space_selectors.space_list(queryset=visible)

    def _respond(self, space: Space, status_code: int = status.HTTP_200_OK) -> Response:
        space = space_selectors.space_list(queryset=Space.objects.filter(pk=space.pk)).get()
        return Response(SpaceSerializer(space).data, status=status_code)

    def create(self, request) -> Response:
        serializer = SpaceWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        space = space_services.space_create(school=self.school, **serializer.validated_data)
        return self._respond(space, status.HTTP_201_CREATED)

    def update(self, request, space_id: str | None = None) -> Response:
        space = self.get_object()
        serializer = SpaceWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(space_services.space_update(space=space, **serializer.validated_data))

    def partial_update(self, request, space_id: str | None = None) -> Response:
        return self.update(request, space_id=space_id)

    def perform_destroy(self, instance: Space) -> None:
        space_services.space_delete(space=instance)

    def _own_space(self) -> tuple[Space, Any]:
        # The space first (404 when it is not visible, also to API keys), then the caller.
        space = self.get_object()
        if not self.credential.is_user:
            raise ApiError(
                "A person joins, accepts and declines with their own user token.",
                code=CommunityErrorCode.USER_TOKEN_REQUIRED,
                status_code=403,
            )
        return space, self.credential.user

    @extend_schema(
        summary="Join a community space (the caller's own user token)",
        description="Public spaces without invitations, and spaces whose linked course the "
        "caller is actively enrolled in; a pending invitation is accepted. 403 "
        "space_join_refused otherwise.",
        request=None,
        responses={201: SpaceMemberSerializer, 200: SpaceMemberSerializer},
    )
    @action(detail=True, methods=["post"])
    def join(self, request, space_id: str | None = None) -> Response:
        space, user = self._own_space()
        membership, created = member_services.space_join(space=space, user=user)
        return Response(
            SpaceMemberSerializer(membership, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Accept an invitation to a community space (the caller's own user token)",
        request=None,
        responses={200: SpaceMemberSerializer},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, space_id: str | None = None) -> Response:
        space, user = self._own_space()
        membership = member_services.space_invitation_accept(space=space, user=user)
        return Response(
            SpaceMemberSerializer(membership, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Decline an invitation to a community space (the caller's own user token)",
        request=None,
        responses={204: OpenApiResponse(description="The invitation is gone.")},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, space_id: str | None = None) -> Response:
        space, user = self._own_space()
        member_services.space_invitation_decline(space=space, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
