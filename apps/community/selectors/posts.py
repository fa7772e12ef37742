"""Reads of posts, comments and reports, as a credential may see them.

Posts are read through ``access``: a list shows the posts of the spaces the credential may
read (``spaces_readable_by``), a post by id is found among the spaces it may see
(``spaces_visible_to``: a secret space's post is 404 to a non-member, a private one's is
403 once found). Hidden posts and comments are shown to staff and the moderators of their
space only. A page's comment and reaction counts are subqueries of its one statement,
evaluated for the page's rows alone, never a query per row: the comments counted, and the
reactions counted by kind in one aggregate (``reaction_counts``, a JSON object).
"""

from django.db.models import (
    Count,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject

from apps.community.models import Comment, Post, PostReport, Reaction, SpaceMember
from apps.community.selectors import access
from apps.core.credentials import Credential

REACTION_KINDS = tuple(Reaction.Kind.values)
# The columns a list row of a post reads (``post_rows``): the post's own and its author's.
POST_ROW_COLUMNS = (
    "id",
    "space_id",
    "author_id",
    "author__email",
    "author__first_name",
    "author__last_name",
    "title",
    "body",
    "tags",
    "is_pinned",
    "pinned_at",
    "is_hidden",
    "hidden_reason",
    "hidden_at",
    "created_at",
    "updated_at",
)


def reaction_counts(counted: dict[str, int] | None) -> dict[str, int]:
    """``{kind: count}`` for every kind, from a post's ``reaction_counts`` annotation (null
    when nobody reacted)."""
    counted = counted or {}
    return {kind: counted.get(kind, 0) for kind in REACTION_KINDS}


def _of_post(queryset: QuerySet) -> QuerySet:
    return queryset.filter(post=OuterRef("pk")).order_by().values("post")


def moderated_spaces(*, credential: Credential) -> QuerySet[SpaceMember]:
    """The ids of the spaces the token's person moderates (a subquery)."""
    return SpaceMember.objects.filter(
        user_id=credential.user.pk,
        status=SpaceMember.Status.ACTIVE,
        role=SpaceMember.Role.MODERATOR,
    ).values("space_id")


def _shown(queryset: QuerySet, credential: Credential, space_path: str) -> QuerySet:
    """Without the hidden rows, unless staff or the space's moderator reads them."""
    if not credential.is_user:
        return queryset
    return queryset.filter(
        Q(is_hidden=False) | Q(**{f"{space_path}__in": moderated_spaces(credential=credential)})
    )


# Built once: composing the subqueries costs more per request than running them (Django
# clones each expression when a queryset uses it, so sharing them is safe). The reactions
# are one subquery counting every kind at once (``COUNT(id) FILTER``), not one per kind.
_COUNTS = {
    "comments_count": Coalesce(
        Subquery(
            _of_post(Comment.objects.filter(is_hidden=False)).annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    ),
    "reaction_counts": Subquery(
        _of_post(Reaction.objects.all())
        .annotate(
            counts=JSONObject(**{kind: Count("pk", filter=Q(kind=kind)) for kind in REACTION_KINDS})
        )
        .values("counts"),
        output_field=JSONField(),
    ),
}


def post_list(*, queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Posts newest first, with their author, count of visible comments and
    ``reaction_counts`` (see ``reaction_counts()``)."""
    return queryset.select_related("author").annotate(**_COUNTS).order_by("-id")


def post_rows(queryset: QuerySet[Post]) -> QuerySet[dict]:
    """The posts of ``queryset`` as plain rows (``POST_ROW_COLUMNS`` and the counts of
    ``post_list``) in its order, for a list page: no model instances, and the counts are
    composed once, for the page's statement alone (the count of the list reads the
    queryset without them)."""
    return queryset.select_related(None).values(*POST_ROW_COLUMNS, **_COUNTS)


def posts_for(*, credential: Credential, queryset: QuerySet[Post], listing: bool) -> QuerySet:
    """The posts the credential may list (``listing``: readable spaces only) or address by
    id (visible spaces; the caller then checks ``require_readable``)."""
    spaces = access.spaces_readable_by if listing else access.spaces_visible_to
    queryset = queryset.filter(space__in=spaces(credential=credential))
    return _shown(queryset, credential, "space")


def comment_list(*, credential: Credential, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    """A post's comments and replies oldest first; hidden ones to moderators and staff."""
    return _shown(queryset, credential, "post__space").select_related("author").order_by("id")


def report_queue(*, credential: Credential, queryset: QuerySet[PostReport]) -> QuerySet:
    """Reports of live spaces' posts, open first then oldest: every one to staff, those of
    the spaces it moderates to a user token."""
    queryset = queryset.filter(post__space__in=access.live_spaces())
    if credential.is_user:
        queryset = queryset.filter(post__space__in=moderated_spaces(credential=credential))
    # "open" sorts after "hidden" and "dismissed": descending puts the open ones first, on a
    # plain column the cursor pagination can follow.
    return queryset.select_related("post", "reporter").order_by("-status", "id")
