"""Reads of notifications."""

from django.db.models import QuerySet

from apps.community.models import Notification


def notification_inbox(*, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    """Unread first, then newest first (ids are time-ordered)."""
    return queryset.order_by("is_read", "-id")
