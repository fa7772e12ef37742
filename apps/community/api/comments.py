"""``community/posts/{post_id}/comments``: a post's comments and replies, oldest first.

Replies nest one level deep (``parent_id`` names a top-level comment of the same post; a
reply to a reply is 400 ``reply_too_deep``). The post is found as ``community/posts`` finds
it (404 when not visible or hidden from the caller, 403 ``not_space_member`` when it may not
read the space); writing needs an active membership; people change and delete their own
comments, moderators and staff any, and hide or restore them.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.community.api.members import SpacePersonSerializer
from apps.community.api.posts import (
    PostChildViewSet,
    ReasonSerializer,
    require_author_or_moderator,
    require_moderator,
)
from apps.community.codes import CommunityErrorCode
from apps.community.models import Comment
from apps.community.models.posts import COMMENT_MAX
from apps.community.selectors import posts as post_selectors
from apps.community.services import posts as post_services
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import Serializer
from apps.core.errors import InvalidInput
from apps.schools.models import User


class CommentSerializer(serializers.ModelSerializer):
    """A comment, or a reply (``parent_id``), with its author."""

    post_id = serializers.CharField(read_only=True)
    parent_id = serializers.CharField(read_only=True, allow_null=True)
    author = SpacePersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "post_id",
            "parent_id",
            "author",
            "body",
            "is_hidden",
            "hidden_reason",
            "hidden_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommentUpdateSerializer(Serializer):
    body = serializers.CharField(
        max_length=COMMENT_MAX, help_text="HTML (sanitised), at most 5,000 characters."
    )


class CommentCreateSerializer(CommentUpdateSerializer):
    parent_id = SchoolPrimaryKeyRelatedField(
        source="parent",
        queryset=Comment.objects.all(),
        required=False,
        allow_null=True,
        help_text="A top-level comment of this post (cmt_ id) to reply to.",
    )
    author_id = SchoolPrimaryKeyRelatedField(
        source="author",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="API keys: the person to comment as (usr_ id); the school when left out.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the comments of a community post", description="Oldest first."
    ),
    retrieve=extend_schema(summary="Get a comment of a community post"),
    create=extend_schema(
        summary="Comment on a community post, or reply to a comment",
        description="A reply notifies the parent comment's author.",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    ),
    update=extend_schema(
        summary="Update a comment (partial, as PATCH)",
        request=CommentUpdateSerializer,
        responses=CommentSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a comment", request=CommentUpdateSerializer, responses=CommentSerializer
    ),
    destroy=extend_schema(summary="Delete a comment (with its replies)"),
)
class CommentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PostChildViewSet,
):
    """The comments of one post."""

    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "comment_id"
    owner_write_actions = ("create", "update", "partial_update", "destroy", "hide", "restore")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return post_selectors.comment_list(
            credential=self.credential, queryset=queryset.filter(post=self.parent_post)
        )

    def _respond(self, comment: Comment, status_code: int = status.HTTP_200_OK) -> Response:
        comment = Comment.objects.select_related("author").get(pk=comment.pk)
        return Response(
            CommentSerializer(comment, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, post_id: str | None = None) -> Response:
        self.require_writer()
        serializer = CommentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if self.credential.is_user:
            if "author" in data:
                raise InvalidInput(
                    "author_id: a user token comments as itself.",
                    code=CommunityErrorCode.AUTHOR_NOT_ALLOWED,
                    field="author_id",
                )
            data["author"] = self.credential.user
        comment = post_services.comment_create(post=self.parent_post, **{"author": None, **data})
        return self._respond(comment, status.HTTP_201_CREATED)

    def update(self, request, post_id: str | None = None, comment_id: str | None = None):
        comment = self.get_object()
        require_author_or_moderator(comment, self.space_access, self.credential)
        serializer = CommentUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            post_services.comment_update(comment=comment, **serializer.validated_data)
        )

    def partial_update(self, request, post_id: str | None = None, comment_id: str | None = None):
        return self.update(request, post_id=post_id, comment_id=comment_id)

    def perform_destroy(self, instance: Comment) -> None:
        require_author_or_moderator(instance, self.space_access, self.credential)
        post_services.comment_delete(comment=instance)

    @extend_schema(
        summary="Hide a comment with a reason (moderators and staff)",
        request=ReasonSerializer,
        responses=CommentSerializer,
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, post_id: str | None = None, comment_id: str | None = None):
        comment = self.get_object()
        require_moderator(self.space_access)
        serializer = ReasonSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._respond(
            post_services.comment_hide(comment=comment, reason=serializer.validated_data["reason"])
        )

    @extend_schema(
        summary="Show a hidden comment again (moderators and staff)",
        request=None,
        responses=CommentSerializer,
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, post_id: str | None = None, comment_id: str | None = None):
        comment = self.get_object()
        require_moderator(self.space_access)
        return self._respond(post_services.comment_restore(comment=comment))
