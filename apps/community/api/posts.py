"""``community/posts`` (LearnWorlds): posts newest first, 10 per page, filters combined
with AND; writes, pinning, moderation, reports and reactions.

A user token lists the posts of the spaces it may read and addresses a post among the
spaces it may see (``apps.community.selectors.access``): a secret space's post is 404 to a
non-member, a private space's 403 ``not_space_member``. It writes as itself, as an active
member of the post's space: its own posts (moderators any in their space), reactions and
reports. Staff (API keys) write everything, posting as the school or as ``author_id``.
"""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.community.api.members import SpacePersonSerializer, person_payload
from apps.community.api.reports import PostReportSerializer
from apps.community.codes import CommunityErrorCode
from apps.community.models import Post, Space
from apps.community.models.posts import BODY_MAX, REASON_MAX
from apps.community.selectors import access
from apps.community.selectors import posts as post_selectors
from apps.community.services import posts as post_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import Serializer
from apps.core.errors import ApiError, InvalidInput, NotFound
from apps.core.filters import DateTimeFilter, FilterSet
from apps.core.times import format_datetime
from apps.schools.models import User

TITLE_MAX = Post._meta.get_field("title").max_length


class ReactionCountsSerializer(Serializer):
    """How many people reacted with each kind."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            kind: serializers.IntegerField(read_only=True) for kind in post_selectors.REACTION_KINDS
        }


class PostSerializer(serializers.ModelSerializer):
    """A post with its author, tags, counts of visible comments and of reactions by kind."""

    space_id = serializers.CharField(read_only=True)
    author = SpacePersonSerializer(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    comments_count = serializers.IntegerField(read_only=True, help_text="Visible comments.")
    reactions = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "space_id",
            "author",
            "title",
            "body",
            "tags",
            "is_pinned",
            "pinned_at",
            "is_hidden",
            "hidden_reason",
            "hidden_at",
            "comments_count",
            "reactions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, post: Post) -> list[str]:
        return post.tags.split()

    @extend_schema_field(ReactionCountsSerializer)
    def get_reactions(self, post: Post) -> dict[str, int]:
        return post_selectors.reaction_counts(post.reaction_counts)

    @staticmethod
    def row_payload(row: dict, learner: User | None) -> dict:
        """The shape of a ``post_rows`` row, read by ``learner`` (None for staff): the same
        JSON as this serializer gives the post, for lists, which skip model instances and
        DRF's per-field work (most of a page's cost)."""
        author_id = row["author_id"]
        return {
            "id": row["id"],
            "space_id": row["space_id"],
            "author": None
            if author_id is None
            else person_payload(
                learner,
                user_id=author_id,
                email=row["author__email"],
                first_name=row["author__first_name"],
                last_name=row["author__last_name"],
            ),
            "title": row["title"],
            "body": row["body"],
            "tags": row["tags"].split(),
            "is_pinned": row["is_pinned"],
            "pinned_at": format_datetime(row["pinned_at"]),
            "is_hidden": row["is_hidden"],
            "hidden_reason": row["hidden_reason"],
            "hidden_at": format_datetime(row["hidden_at"]),
            "comments_count": row["comments_count"],
            "reactions": post_selectors.reaction_counts(row["reaction_counts"]),
            "created_at": format_datetime(row["created_at"]),
            "updated_at": format_datetime(row["updated_at"]),
        }


def _tags_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.RegexField(
            post_services.TAG_INPUT_PATTERN, max_length=30, trim_whitespace=False
        ),
        max_length=post_services.MAX_TAGS,
        required=False,
        help_text="Up to 10 tags, each 1 to 30 letters, digits, '-' or '_' (stored lower-case).",
    )


class PostUpdateSerializer(Serializer):
    """A post's changeable fields; ``body`` is HTML (sanitised: scripts and handlers are
    dropped) of at most 20,000 characters with some text."""

    title = serializers.CharField(max_length=TITLE_MAX, allow_blank=True, required=False)
    body = serializers.CharField(max_length=BODY_MAX, required=False)
    tags = _tags_field()


class PostCreateSerializer(PostUpdateSerializer):
    """A new post: its space and body are required; ``author_id`` is for API keys only."""

    space_id = SchoolPrimaryKeyRelatedField(
        source="space",
        queryset=access.live_spaces(),
        help_text="The space (spc_ id) to post in.",
    )
    body = serializers.CharField(max_length=BODY_MAX)
    author_id = SchoolPrimaryKeyRelatedField(
        source="author",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="API keys: the person to post as (usr_ id); the school when left out.",
    )


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why (shown to the author).")


class ReportCreateSerializer(Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, allow_blank=True, required=False)


class PostFilter(FilterSet):
    space_id = django_filters.CharFilter(
        method="filter_space", help_text="A space (spc_ id): its pinned posts come first."
    )
    collection_id = django_filters.CharFilter(
        field_name="space__collection_id", help_text="A collection (ccl_ id)."
    )
    author_id = django_filters.CharFilter(field_name="author_id", help_text="A person (usr_ id).")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    tag = django_filters.CharFilter(method="filter_tag", help_text="Posts carrying this tag.")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the title or the body."
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_space(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(space_id=value).order_by("-is_pinned", "-id")

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        tag = value.strip().lower()
        return queryset.filter(
            Q(tags=tag)
            | Q(tags__startswith=f"{tag} ")
            | Q(tags__endswith=f" {tag}")
            | Q(tags__contains=f" {tag} ")
        )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return queryset


def user_token_required(what: str) -> ApiError:
    return ApiError(
        f"A person {what} with their own user token.",
        code=CommunityErrorCode.USER_TOKEN_REQUIRED,
        status_code=403,
    )


def require_author_or_moderator(row: Any, space_access: access.SpaceAccess, credential) -> None:
    """403 ``not_author`` unless the caller wrote ``row``, moderates its space or is staff."""
    if space_access.is_moderator or (credential.is_user and row.author_id == credential.user.pk):
        return
    raise ApiError(
        "Only its author, the space's moderators and staff may change this.",
        code=CommunityErrorCode.NOT_AUTHOR,
        status_code=403,
    )


def require_moderator(space_access: access.SpaceAccess) -> None:
    """403 ``not_space_moderator`` unless the caller moderates the space or is staff."""
    if not space_access.is_moderator:
        raise ApiError(
            "Only the space's moderators and staff may do this.",
            code=CommunityErrorCode.NOT_SPACE_MODERATOR,
            status_code=403,
        )


class PostChildViewSet(SchoolScopedViewSet):
    """Base of the routes under one post (``…/posts/{post_id}/…``): the post is found as
    ``community/posts`` finds it (404 when not visible or hidden from the caller) and the
    caller must be able to read its space (403 ``not_space_member``)."""

    parent_post = Parent(
        Post.objects.filter(space__deleted_at__isnull=True),
        url_kwarg="post_id",
        detail="No such community post.",
    )
    space_access: access.SpaceAccess

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        post: Post = self.parent_post
        if self.credential.is_user:
            found = post_selectors.posts_for(
                credential=self.credential, queryset=Post.objects.filter(pk=post.pk), listing=False
            )
            if not found.exists():
                raise NotFound("No such community post.")
        self.space_access = access.require_readable(credential=self.credential, space=post.space)

    def require_writer(self) -> None:
        """403 ``not_space_member`` unless the caller may write in the post's space."""
        if not self.space_access.can_write:
            access.require_member(credential=self.credential, space=self.parent_post.space)


@extend_schema_view(
    list=extend_schema(
        summary="List community posts",
        description="Newest first, 10 per page; filters are combined with AND. Filtered by "
        "space_id, the space's pinned posts come first. A user token lists the posts of the "
        "spaces it may read; hidden posts only to the space's moderators.",
    ),
    retrieve=extend_schema(summary="Get a community post"),
    create=extend_schema(
        summary="Write a community post",
        description="A user token posts as itself in a space it is an active member of.",
        request=PostCreateSerializer,
        responses={201: PostSerializer},
    ),
    update=extend_schema(
        summary="Update a community post (partial, as PATCH)",
        request=PostUpdateSerializer,
        responses=PostSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a community post",
        request=PostUpdateSerializer,
        responses=PostSerializer,
    ),
    destroy=extend_schema(summary="Delete a community post (with its comments)"),
)
class PostViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, SchoolScopedViewSet
):
    """The community's posts, as the caller may see them."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    filterset_class = PostFilter
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "post_id"
    # A space's feed, the community's hottest read, is compiled once per shape.
    prepared_list_filters = ("space_id", "collection_id", "author_id")
    page_size = 10
    max_page_size = 100
    owner_write_actions = (
        "create",
        "update",
        "partial_update",
        "destroy",
        "pin",
        "unpin",
        "hide",
        "restore",
        "report",
    )

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        listing = self.action == "list"
        posts = post_selectors.posts_for(
            credential=self.credential, queryset=queryset, listing=listing
        )
        # A list's counts are composed for its page alone (``page_rows``).
        return posts.order_by("-id") if listing else post_selectors.post_list(queryset=posts)

    def page_rows(self, queryset: QuerySet) -> QuerySet:
        """A list page's rows (read by the paginator)."""
        return post_selectors.post_rows(queryset)

    def list(self, request) -> Response:
        page = self.list_page()
        learner = self.credential.user if self.credential.is_user else None
        return self.get_paginated_response(
            [PostSerializer.row_payload(row, learner) for row in page]
        )

    def _post(self) -> tuple[Post, access.SpaceAccess]:
        """The addressed post (404 when not visible) and the caller's standing in its space
        (403 ``not_space_member`` when it may not read it)."""
        post = self.get_object()
        space_access = access.require_readable(credential=self.credential, space=post.space)
        return post, space_access

    def _respond(self, post: Post, status_code: int = status.HTTP_200_OK) -> Response:
        post = post_selectors.post_list(queryset=Post.objects.filter(pk=post.pk)).get()
        return Response(
            PostSerializer(post, context=self.get_serializer_context()).data, status=status_code
        )

    def retrieve(self, request, post_id: str | None = None) -> Response:
        post, _ = self._post()
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    def create(self, request) -> Response:
        serializer = PostCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        space: Space = data.pop("space")
        if self.credential.is_user:
            if "author" in data:
                raise InvalidInput(
                    "author_id: a user token posts as itself.",
                    code=CommunityErrorCode.AUTHOR_NOT_ALLOWED,
                    field="author_id",
                )
            visible = access.spaces_visible_to(
                credential=self.credential, queryset=Space.objects.filter(pk=space.pk)
            )
            if not visible.exists():
                # A secret space it may not know of: the same words as a missing one.
                raise InvalidInput(
                    "space_id does not exist.", code="does_not_exist", field="space_id"
                )
            access.require_member(credential=self.credential, space=space)
            data["author"] = self.credential.user
        post = post_services.post_create(space=space, **{"author": None, **data})
        return self._respond(post, status.HTTP_201_CREATED)

    def update(self, request, post_id: str | None = None) -> Response:
        post, space_access = self._post()
        require_author_or_moderator(post, space_access, self.credential)
        serializer = PostUpdateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._respond(post_services.post_update(post=post, **serializer.validated_data))

    def partial_update(self, request, post_id: str | None = None) -> Response:
        return self.update(request, post_id=post_id)

    def destroy(self, request, post_id: str | None = None) -> Response:
        post, space_access = self._post()
        require_author_or_moderator(post, space_access, self.credential)
        post_services.post_delete(post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _moderated_post(self) -> Post:
        post, space_access = self._post()
        require_moderator(space_access)
        return post

    @extend_schema(
        summary="Pin a community post (moderators and staff)",
        description="Pinned posts come first in their space's listing.",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def pin(self, request, post_id: str | None = None) -> Response:
        return self._respond(post_services.post_pin(post=self._moderated_post(), pinned=True))

    @extend_schema(
        summary="Unpin a community post (moderators and staff)",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def unpin(self, request, post_id: str | None = None) -> Response:
        return self._respond(post_services.post_pin(post=self._moderated_post(), pinned=False))

    @extend_schema(
        summary="Hide a community post with a reason (moderators and staff)",
        description="Hidden posts are shown to the space's moderators and staff only (404 to "
        "others). The author is notified; open reports of the post are settled and their "
        "reporters notified.",
        request=ReasonSerializer,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, post_id: str | None = None) -> Response:
        post = self._moderated_post()
        serializer = ReasonSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._respond(
            post_services.post_hide(post=post, reason=serializer.validated_data["reason"])
        )

    @extend_schema(
        summary="Show a hidden community post again (moderators and staff)",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, post_id: str | None = None) -> Response:
        return self._respond(post_services.post_restore(post=self._moderated_post()))

    @extend_schema(
        summary="Report a community post to its space's moderators",
        description="The caller's own user token, as an active member of the space; once per "
        "person and post (201 reported, 200 already reported).",
        request=ReportCreateSerializer,
        responses={201: PostReportSerializer, 200: PostReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, post_id: str | None = None) -> Response:
        post, space_access = self._post()
        serializer = ReportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        if not self.credential.is_user:
            raise user_token_required("reports a post")
        if not space_access.can_write:
            access.require_member(credential=self.credential, space=post.space)
        report, created = post_services.report_create(
            post=post, reporter=self.credential.user, **serializer.validated_data
        )
        return Response(
            PostReportSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
