"""Collections, spaces and space members.

A collection groups spaces; a space is where the school's people talk (posts come later,
``apps.community.models`` gains them with a foreign key to ``Space``). ``visibility`` says
who may see a space (``apps.community.selectors.access`` is the one place that reads it),
``is_invitation_required`` whether staff adding someone invites them instead of adding
them at once, and ``course`` links a space to a course whose enrolled learners may join.

A space is soft-deleted (``deleted_at``) when it holds content, so staff can restore it in
the admin; a soft-deleted space is invisible to the API.
"""

from django.db import models

from apps.catalog.models import Course
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User


class Collection(SchoolOwnedModel):
    """A named group of spaces (LearnWorlds' community collection)."""

    id = PrefixedIdField(prefix="ccl", primary_key=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]  # ids are time-ordered: oldest first, as the seed lists them

    def __str__(self) -> str:
        return self.title


class Space(SchoolOwnedModel):
    """A place for posts, seen according to ``visibility``."""

    class Visibility(models.TextChoices):
        # Listed to everyone of the school, content readable by everyone of the school.
        PUBLIC = "public", "Public"
        # Listed to everyone of the school; members and content for its members only.
        PRIVATE = "private", "Private"
        # Known to its members (and the people invited to it or enrolled in its course) only.
        SECRET = "secret", "Secret"

    id = PrefixedIdField(prefix="spc", primary_key=True)
    title = models.CharField(max_length=200)
    description = models.TextField(
        max_length=20000, blank=True, default="", help_text="HTML, sanitised on the way in."
    )
    # SET_NULL: removing a grouping leaves its spaces (and what was said in them) in place.
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="spaces"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_invitation_required = models.BooleanField(default=False)
    # The course whose actively enrolled learners may see and join the space.
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="spaces"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(
                fields=["school", "id"],
                name="community_space_live",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class SpaceMember(SchoolOwnedModel):
    """A person's place in a space: an active member, or invited and not yet answering."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INVITED = "invited", "Invited"

    id = PrefixedIdField(prefix="spm", primary_key=True)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="space_memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Who invited them: a staff account (the admin); None when an API key did, or no one.
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    # When the invitation e-mail went out: the mail task sends it once however often it runs.
    invitation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="community_member_unique"),
        ]
        indexes = [
            *school_indexes("community_spm"),
            # A space's members page, oldest first.
            models.Index(fields=["space", "id"], name="community_spm_space"),
            # A person's spaces (what a learner may see), by status.
            models.Index(fields=["user", "status", "space"], name="community_spm_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.space}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
