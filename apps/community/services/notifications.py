"""Writes of notifications: ``notify`` (what other parts of the community call) and marking
them read."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.community.models import Notification
from apps.schools.models import User

TEXT_LIMIT = Notification._meta.get_field("text").max_length


def notify(*, user: User, kind: str, text: str, object_id: str = "") -> Notification:
    """Put a notification in ``user``'s inbox (their school's); ``text`` is cut to fit."""
    if user.school_id is None:
        raise ValueError("notify() needs a school's account, not an operator.")
    notification = Notification(
        school_id=user.school_id,
        user=user,
        kind=kind,
        object_id=object_id,
        text=text[:TEXT_LIMIT],
    )
    notification.save(force_insert=True)
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (again: nothing changes)."""
    if not notification.is_read:
        notification.is_read, notification.read_at = True, timezone.now()
        notification.save(update_fields=["is_read", "read_at", "updated_at"])
    return notification


def notifications_mark_read(*, notifications: QuerySet[Notification]) -> int:
    """Mark every unread notification of ``notifications`` read; how many were changed."""
    now = timezone.now()
    return notifications.filter(is_read=False).update(is_read=True, read_at=now, updated_at=now)
