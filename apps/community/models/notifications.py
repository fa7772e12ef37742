"""Notifications: what happened that a person should know, in their inbox.

A notification names its subject generically (``kind``, ``object_id`` and a short
``text``) so any part of the community (invitations now; replies, mentions and moderation
outcomes later) writes one through ``apps.community.services.notifications.notify``.
"""

from django.db import models

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User


class Notification(SchoolOwnedModel):
    """One item of a person's inbox; ``read_at`` says when it was marked read."""

    id = PrefixedIdField(prefix="ntf", primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # Dotted, like event names: ``space.invitation``, later ``post.reply``, ``post.mention`` …
    kind = models.CharField(max_length=50)
    # The id of what it is about (``spc_…`` for an invitation), so a client can open it.
    object_id = models.CharField(max_length=40, blank=True, default="")
    text = models.TextField(max_length=500)
    # ``is_read`` beside ``read_at``: the inbox orders by a non-null column (unread first),
    # which an index and the cursor pagination can follow.
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *school_indexes("community_ntf"),
            # The inbox: unread first, then newest.
            models.Index(fields=["user", "is_read", "-id"], name="community_ntf_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user}"
