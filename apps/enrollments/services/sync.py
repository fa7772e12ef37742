"""Offline progress sync (Learnomy): lesson progress queued on a device, applied in order.

Each item carries the client's id for it and the client's clock. An item whose client id the
person already sent is a replay: ``duplicate``, nothing changes. Per lesson progress the
latest client timestamp wins: an item older than (or as old as) the last offline write
applied to that lesson is ``stale`` and changes nothing. A timestamp more than
``MAX_CLOCK_AHEAD`` ahead of the server's clock is ``refused``, as is an item the learner's
rules refuse (drip, order, access, a score above the maximum); refused items leave no
receipt, so the client may send them again once the reason is gone. Each item is applied in
its own savepoint: one refusal does not undo the others.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import ApiError, violates
from apps.enrollments.models import LessonProgress, SyncReceipt
from apps.enrollments.services.progress import UNSET, SupersededWrite, lesson_progress_record

MAX_CLOCK_AHEAD = timedelta(minutes=5)
MAX_ITEMS = 500


class SyncStatus:
    APPLIED = "applied"
    STALE = "stale"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass(frozen=True)
class SyncItem:
    """One queued write of a lesson progress (fields left UNSET are not changed)."""

    client_id: str
    lesson_progress: LessonProgress
    client_timestamp: datetime
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncResult:
    client_id: str
    lesson_progress_id: str
    status: str
    code: str | None = None
    detail: str | None = None


def progress_sync(*, items: list[SyncItem]) -> list[SyncResult]:
    """Apply offline items in the order given; one result per item, in that order."""
    now = timezone.now()
    return [_sync_one(item, now) for item in items]


def _result(item: SyncItem, status: str, code: str | None = None, detail: str | None = None):
    return SyncResult(
        client_id=item.client_id,
        lesson_progress_id=item.lesson_progress.pk,
        status=status,
        code=code,
        detail=detail,
    )


def _sync_one(item: SyncItem, now: datetime) -> SyncResult:
    progress = item.lesson_progress
    if SyncReceipt.objects.filter(user_id=progress.user_id, client_id=item.client_id).exists():
        return _result(item, SyncStatus.DUPLICATE)
    if item.client_timestamp > now + MAX_CLOCK_AHEAD:
        return _result(
            item,
            SyncStatus.REFUSED,
            "client_timestamp_in_future",
            "client_timestamp is more than 5 minutes ahead of the server's clock.",
        )
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    _apply(item)
                status = SyncStatus.APPLIED
            except SupersededWrite:
                status = SyncStatus.STALE
            SyncReceipt.objects.create(
                school_id=progress.school_id,
                user_id=progress.user_id,
                client_id=item.client_id,
                lesson_progress=progress,
                status=status,
                client_timestamp=item.client_timestamp,
            )
    except ApiError as exc:
        return _result(item, SyncStatus.REFUSED, exc.code, str(exc.detail))
    except IntegrityError as exc:
        if violates(exc, "enr_syncreceipt_once"):  # the same item sent twice at once
            return _result(item, SyncStatus.DUPLICATE)
        raise
    return _result(item, status)


_FIELDS = ("completed_at", "finished_at", "success_status", "score", "max_score", "custom_data")


def _apply(item: SyncItem) -> None:
    """Record the item; SupersededWrite when a later offline write to the lesson is in."""
    progress = item.lesson_progress
    lesson_progress_record(
        user=progress.user,
        lesson=progress.lesson,
        client_updated_at=item.client_timestamp,
        time_spent_seconds_increment=item.changes.get("time_spent_seconds_increment", 0),
        **{name: item.changes.get(name, UNSET) for name in _FIELDS},
    )
