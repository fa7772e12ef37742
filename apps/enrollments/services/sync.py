"""Offline progress sync (Learnomy): lesson progress and quiz attempts queued on a device,
applied in order.

Each item carries the client's id for it and the client's clock. An item whose client id the
person already sent is a replay: ``duplicate``, nothing changes. Per lesson progress the
latest client timestamp wins: an item older than (or as old as) the last offline write
applied to that lesson is ``stale`` and changes nothing. A quiz attempt taken offline is a
resource of its own, recorded through the quiz-attempt service (its rules, grading and
events); it is ``stale`` when a later attempt of the person in that lesson was already
submitted: it still counts as an attempt, but the later result stays on the lesson (see
``quiz_services.lesson_result_record``). A timestamp more than ``MAX_CLOCK_AHEAD`` ahead of
the server's clock is ``refused``, as is an item the learner's or the quiz's rules refuse
(drip, order, access, a score above the maximum, attempts used up); refused items leave no
receipt, so the client may send them again once the reason is gone. Each item is applied in
its own savepoint: one refusal does not undo the others.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import Lesson, Quiz
from apps.core.codes import CoreErrorCode
from apps.core.errors import ApiError, violates
from apps.enrollments.models import LessonProgress, SyncReceipt
from apps.enrollments.services import quizzes as quiz_services
from apps.enrollments.services.progress import UNSET, SupersededWrite, lesson_progress_record
from apps.schools.models import User

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
class QuizAttemptSyncItem:
    """One quiz attempt taken offline: begun at ``started_at`` and submitted at
    ``client_timestamp``, by the client's clock."""

    client_id: str
    client_timestamp: datetime
    user: User
    quiz: Quiz
    started_at: datetime
    answers: dict[str, Any]
    lesson: Lesson | None = None


@dataclass(frozen=True)
class SyncResult:
    client_id: str
    lesson_progress_id: str | None
    status: str
    code: str | None = None
    detail: str | None = None
    quiz_attempt_id: str | None = None


FUTURE_CODE = "client_timestamp_in_future"
FUTURE_DETAIL = "client_timestamp is more than 5 minutes ahead of the server's clock."


def progress_sync(
    *,
    items: list[SyncItem | QuizAttemptSyncItem],
    admit_attempt: Callable[[QuizAttemptSyncItem], bool] | None = None,
) -> list[SyncResult]:
    """Apply offline items in the order given; one result per item, in that order.
    ``admit_attempt`` (the caller's rate limit) is asked about each quiz attempt that is
    neither a replay nor refused by its clock; one it turns down is refused ``throttled``."""
    now = timezone.now()
    return [
        _sync_attempt(item, now, admit_attempt)
        if isinstance(item, QuizAttemptSyncItem)
        else _sync_one(item, now)
        for item in items
    ]


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
        return _result(item, SyncStatus.REFUSED, FUTURE_CODE, FUTURE_DETAIL)
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


class _Duplicate(Exception):
    """The item's client id has a receipt: answered from it, nothing written."""

    def __init__(self, receipt: SyncReceipt) -> None:
        self.receipt = receipt


def _sync_attempt(
    item: QuizAttemptSyncItem,
    now: datetime,
    admit: Callable[[QuizAttemptSyncItem], bool] | None = None,
) -> SyncResult:
    """Record one offline attempt through the quiz-attempt service, with its receipt."""

    def result(status: str, code: str | None = None, detail: str | None = None) -> SyncResult:
        return SyncResult(
            client_id=item.client_id,
            lesson_progress_id=None,
            status=status,
            code=code,
            detail=detail,
        )

    if item.client_timestamp > now + MAX_CLOCK_AHEAD:
        return result(SyncStatus.REFUSED, FUTURE_CODE, FUTURE_DETAIL)
    try:
        with transaction.atomic():
            # One person's offline items one at a time: a copy of this batch sent at the
            # same moment waits here, then finds the receipt this item leaves, instead of
            # racing it to the quiz's attempt limit. NO KEY: rows that merely reference the
            # person (an attempt started online meanwhile) are not held up, so no deadlock.
            User.objects.select_for_update(no_key=True).filter(pk=item.user.pk).get()
            receipt = SyncReceipt.objects.filter(
                user_id=item.user.pk, client_id=item.client_id
            ).first()
            if receipt is not None:
                raise _Duplicate(receipt)
            if admit is not None and not admit(item):
                raise ApiError(
                    "Too many quiz attempts for this person this minute; send it again later.",
                    code=CoreErrorCode.THROTTLED,
                    status_code=429,
                )
            attempt = quiz_services.quiz_attempt_record(
                quiz=item.quiz,
                user=item.user,
                lesson=item.lesson,
                answers=item.answers,
                started_at=item.started_at,
                submitted_at=item.client_timestamp,
                now=now,
            )
            stale = quiz_services.quiz_attempt_superseded(attempt=attempt)
            status = SyncStatus.STALE if stale else SyncStatus.APPLIED
            progress = LessonProgress.objects.get(user=item.user, lesson=attempt.lesson)
            SyncReceipt.objects.create(
                school_id=attempt.school_id,
                user=item.user,
                client_id=item.client_id,
                lesson_progress=progress,
                quiz_attempt=attempt,
                status=status,
                client_timestamp=item.client_timestamp,
            )
    except _Duplicate as duplicate:
        return _duplicate(item, duplicate.receipt)
    except ApiError as exc:
        return result(SyncStatus.REFUSED, exc.code, str(exc.detail))
    except IntegrityError as exc:
        # A lesson item with the same client id, sent at the same moment, got in first.
        if violates(exc, "enr_syncreceipt_once"):
            return _duplicate(
                item, SyncReceipt.objects.get(user_id=item.user.pk, client_id=item.client_id)
            )
        raise
    return SyncResult(
        client_id=item.client_id,
        lesson_progress_id=progress.pk,
        status=status,
        quiz_attempt_id=attempt.pk,
    )


def _duplicate(item: QuizAttemptSyncItem, receipt: SyncReceipt) -> SyncResult:
    """A replay: what the first copy touched, unchanged."""
    return SyncResult(
        client_id=item.client_id,
        lesson_progress_id=receipt.lesson_progress_id,
        status=SyncStatus.DUPLICATE,
        quiz_attempt_id=receipt.quiz_attempt_id,
    )
