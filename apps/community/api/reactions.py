"""``community/posts/{post_id}/reactions``: who reacted to a post, and one's own reactions.

A reaction is one person's, of one kind of a fixed set: ``PUT …/reactions/{kind}`` adds it
(201, or 200 when it is already there: twice is one row, also at once), ``DELETE`` removes
it (204 either way). Both act for the caller's own user token, as an active member of the
post's space; an unknown kind is 400 ``unknown_reaction_kind``.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.community.api.members import SpacePersonSerializer
from apps.community.api.posts import PostChildViewSet, user_token_required
from apps.community.models import Reaction
from apps.community.services import posts as post_services
from apps.schools.models import User

KINDS = ", ".join(Reaction.Kind.values)


class ReactionSerializer(serializers.ModelSerializer):
    """A reaction: its kind and who reacted (ids shown to staff and to the person only)."""

    post_id = serializers.CharField(read_only=True)
    user = SpacePersonSerializer(read_only=True)

    class Meta:
        model = Reaction
        fields = ["id", "post_id", "user", "kind", "created_at", "updated_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List the reactions to a community post", description="Oldest first."
    ),
    update=extend_schema(
        summary="React to a community post",
        description=f"One reaction per person and kind ({KINDS}): 201 added, 200 already there.",
        request=None,
        responses={201: ReactionSerializer, 200: ReactionSerializer},
    ),
    destroy=extend_schema(
        summary="Remove one's reaction to a community post",
        responses={204: OpenApiResponse(description="The caller has no such reaction now.")},
    ),
)
class ReactionViewSet(mixins.ListModelMixin, PostChildViewSet):
    """The reactions to one post, addressed by kind for the caller's own."""

    queryset = Reaction.objects.all()
    serializer_class = ReactionSerializer
    scopes = ("read:community", "write:community")
    lookup_field = "kind"
    lookup_url_kwarg = "kind"
    owner_write_actions = ("update", "destroy")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(post=self.parent_post).select_related("user").order_by("id")

    def _reactor(self) -> User:
        if not self.credential.is_user:
            raise user_token_required("reacts")
        self.require_writer()
        return self.credential.user

    def update(self, request, post_id: str | None = None, kind: str = "") -> Response:
        reaction, created = post_services.reaction_add(
            post=self.parent_post, user=self._reactor(), kind=kind
        )
        reaction = Reaction.objects.select_related("user").get(pk=reaction.pk)
        return Response(
            ReactionSerializer(reaction, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request, post_id: str | None = None, kind: str = "") -> Response:
        post_services.reaction_remove(post=self.parent_post, user=self._reactor(), kind=kind)
        return Response(status=status.HTTP_204_NO_CONTENT)
