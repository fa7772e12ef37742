"""Posts of a space, their comments (replies one level deep), reactions and reports.

A post lives in one space (``related_name="posts"``: a space holding posts is soft-deleted,
see ``apps.community.services.spaces.register_space_content``). Bodies are HTML, sanitised
on the way in. Moderators and staff pin posts, and hide posts and comments with a reason
(hidden rows stay, visible to moderators and staff only); a member reports a post once,
which lands in the moderation queue (``PostReport`` with status ``open``).
"""

from django.db import models

from apps.community.models.spaces import Space
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User

BODY_MAX = 20_000
COMMENT_MAX = 5_000
REASON_MAX = 500


class Post(SchoolOwnedModel):
    """A message in a space; ``author`` is null when staff posted it through an API key."""

    id = PrefixedIdField(prefix="pst", primary_key=True)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    # SET_NULL: a removed account leaves the discussion in place, unattributed.
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="community_posts"
    )
    title = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField(max_length=BODY_MAX, help_text="HTML, sanitised on the way in.")
    # Lower-case labels separated by single spaces (``"forklift safety"``): the ``tag``
    # filter matches a whole word on every database without a tag table.
    tags = models.CharField(max_length=400, blank=True, default="")
    is_pinned = models.BooleanField(default=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True, default="")
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]  # ids are time-ordered: newest first, as the seed lists posts
        indexes = [
            *school_indexes("community_pst"),
            # A space's page: pinned first, then newest.
            models.Index(fields=["space", "-is_pinned", "-id"], name="community_pst_space"),
            models.Index(fields=["school", "-id"], name="community_pst_newest"),
            models.Index(fields=["author", "-id"], name="community_pst_author"),
        ]

    def __str__(self) -> str:
        return self.title or f"Post {self.id}"


class Comment(SchoolOwnedModel):
    """A comment on a post, or a reply to a top-level comment (``parent``)."""

    id = PrefixedIdField(prefix="cmt", primary_key=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # One level deep: a reply's parent is always a top-level comment (the service checks).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="community_comments"
    )
    body = models.TextField(max_length=COMMENT_MAX, help_text="HTML, sanitised on the way in.")
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True, default="")
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *school_indexes("community_cmt"),
            # A post's comments, oldest first, and its count of visible ones.
            models.Index(fields=["post", "is_hidden", "id"], name="community_cmt_post"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.id} on {self.post_id}"


class Reaction(SchoolOwnedModel):
    """One person's reaction of one kind to a post (at most one row per person and kind)."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        LOVE = "love", "Love"
        CELEBRATE = "celebrate", "Celebrate"
        INSIGHTFUL = "insightful", "Insightful"
        CURIOUS = "curious", "Curious"

    id = PrefixedIdField(prefix="rct", primary_key=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="community_reactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"], name="community_reaction_unique"
            ),
        ]
        indexes = [*school_indexes("community_rct")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class PostReport(SchoolOwnedModel):
    """A member's report of a post: the moderation queue holds the ``open`` ones."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        # The post was hidden (by this report's outcome or directly by a moderator).
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "Dismissed"

    id = PrefixedIdField(prefix="rpt", primary_key=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="community_post_reports"
    )
    reason = models.CharField(max_length=REASON_MAX, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="community_report_unique"),
        ]
        indexes = [
            *school_indexes("community_rpt"),
            models.Index(fields=["school", "status", "id"], name="community_rpt_queue"),
        ]

    def __str__(self) -> str:
        return f"Report of {self.post_id} by {self.reporter_id}"
