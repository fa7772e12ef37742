"""The events outbox.

Services call ``emit(school, "enrollment.created", payload)`` inside their transaction.
The event row commits with the change it describes; after commit a dispatcher hands it to
every subscriber (the webhooks app subscribes in its AppConfig). With a broker, commits
only make sure one ``core.dispatch_pending`` task is queued; that task claims undispatched
events in batches (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so dispatchers
running side by side never take the same event; on SQLite every transaction holds the
write lock from ``BEGIN IMMEDIATE``, so claims are serialized) and hands each batch to the
subscribers inside the transaction that marks it dispatched. A batch subscriber gets the
whole list at once. A periodic sweep re-kicks events that were never dispatched, so a
broker outage delays events but never loses them. Subscribers must be idempotent: an event
can be handed over more than once (a batch that fails is retried event by event).
Only registered event types can be emitted (``apps.core.event_types``), so the catalogue
integrators subscribe to is exactly what the code sends.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from apps.core import shared_cache
from apps.core.event_types import require
from apps.core.models import Event

logger = logging.getLogger(__name__)

Subscriber = Callable[[Event], object]
BatchSubscriber = Callable[[list[Event]], object]


class _Batch:
    """A subscriber that takes a list of events in one call."""

    def __init__(self, handler: BatchSubscriber) -> None:
        self.handler = handler

    def __call__(self, event: Event) -> object:
        return self.handler([event])


_subscribers: dict[str, Subscriber] = {}

# Events not dispatched within this time are picked up again by the sweep.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 5000


# The read scope a credential needs to see an event (its payload comes from that part of
# the API, as a job's params do), by the area its type starts with: the longest matching
# run of whole dotted segments wins. An event of an area not listed is visible to "*" only.
EVENT_READ_SCOPES: dict[str, str] = {
    "user": "read:users",
    "group": "read:users",
    "domain": "read:users",
    "invite": "read:users",
    "course": "read:courses",
    "lesson.created": "read:courses",
    "lesson.updated": "read:courses",
    "web_package": "read:courses",
    "ilt_session": "read:courses",
    "ilt_multi_session_event": "read:courses",
    "enrollment": "read:enrollments",
    "path.item": "read:courses",
    "path": "read:enrollments",
    "vilt": "read:enrollments",
    "enrollment.progress_updated": "read:progress",
    "lesson": "read:progress",
    "quiz": "read:progress",
    "assignment": "read:enrollments",
    "dashboard": "read:progress",
    "certificate": "read:certificates",
    "purchase": "read:commerce",
    "payment": "read:commerce",
    "offer": "read:commerce",
    "plan": "read:commerce",
    "promo_code_pool": "read:commerce",
    "promo_code": "read:commerce",
    "promo_codes": "read:commerce",
    "subscription": "read:commerce",
    "community": "read:community",
    "cohort": "read:community",
    "webhook": "read:webhooks",
    "ping": "read:webhooks",
}
# Longest first, so the first area that matches is the most specific one.
_AREAS = sorted(EVENT_READ_SCOPES, key=len, reverse=True)


def event_read_scope(type: str) -> str | None:
    """The scope that reads events of ``type``; None when its area is unknown ("*" only)."""
    for area in _AREAS:
        if type == area or type.startswith(f"{area}."):
            return EVENT_READ_SCOPES[area]
    return None


def events_readable_with(queryset: QuerySet[Event], scopes: frozenset[str]) -> QuerySet[Event]:
    """Narrow ``queryset`` to the events whose area's read scope is among ``scopes``.

    The area is resolved in SQL (a CASE over the type), so pagination and counts stay in
    the database. ``*`` is not expanded here: a caller holding it skips this filter.
    """
    area_scope = Case(
        *(
            When(Q(type=area) | Q(type__startswith=f"{area}."), then=Value(EVENT_READ_SCOPES[area]))
            for area in _AREAS
        ),
        default=Value(""),
    )
    return queryset.alias(read_scope=area_scope).filter(read_scope__in=sorted(scopes))


def subscribe(name: str, handler: Subscriber) -> None:
    """Register ``handler`` to receive every committed event (one handler per name)."""
    _subscribers[name] = handler


def subscribe_batch(name: str, handler: BatchSubscriber) -> None:
    """Register ``handler`` to receive committed events as lists (one call per batch)."""
    _subscribers[name] = _Batch(handler)


def _hand_over(events: list[Event]) -> None:
    """Call every subscriber: a batch subscriber once with ``events``, the others per event."""
    for handler in subscribers().values():
        if isinstance(handler, _Batch):
            handler.handler(events)
            continue
        for event in events:
            handler(event)


def subscribers() -> dict[str, Subscriber]:
    """The registered subscribers, by name."""
    return dict(_subscribers)


def emit(school, type: str, payload: dict) -> Event:
    """Record an event in the caller's transaction and dispatch it once that commits.

    Raises UnregisteredEventType (before writing anything) when ``type`` is not registered.
    """
    event = pending(school, type, payload)
    event.save(force_insert=True)
    return recorded(event)


def pending(school, type: str, payload: dict) -> Event:
    """An event not yet written, for a caller that writes it in the statement of the change
    it describes (``apps.core.inserts.insert_unless_taken``); ``recorded`` once written.

    Raises UnregisteredEventType when ``type`` is not registered.
    """
    require(type)
    return Event(school=school, type=type, payload=payload)


def recorded(event: Event) -> Event:
    """Dispatch ``event``, just written in the caller's transaction, once that commits."""
    if _tasks_run_inline():
        transaction.on_commit(lambda: kick(event.id))
    else:
        _wake_dispatcher_on_commit()
    return event


DISPATCH_BATCH = 500
# A dispatcher hands over batches for this long, then queues a successor (fairness).
DISPATCH_BUDGET_SECONDS = 10.0
# Set while a dispatcher is queued but not started: commits meanwhile queue no other.
DISPATCH_WAKE_KEY = "events:dispatch:wake"
DISPATCH_WAKE_SECONDS = 60


def emit_many(school, type: str, payloads: list[dict]) -> list[Event]:
    """``emit`` for a batch (bulk imports): one INSERT for all the events.

    With a broker they are queued after commit, one ``core.dispatch_events`` task per
    ``DISPATCH_BATCH``. In the embedded mode (tasks run in-process) they are left to the
    sweep instead, so a bulk caller is not held up doing every subscriber's work inline;
    the outbox guarantees they are handed over within a sweep or two. Raises
    UnregisteredEventType when ``type`` is not registered.
    """
    require(type)
    if not payloads:
        return []
    events = Event.objects.bulk_create(
        [Event(school=school, type=type, payload=payload) for payload in payloads]
    )
    ids = [event.id for event in events]

    def kick_all() -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return
        for start in range(0, len(ids), DISPATCH_BATCH):
            kick_batch(ids[start : start + DISPATCH_BATCH])

    transaction.on_commit(kick_all)
    return events


def kick_batch(event_ids: list[str]) -> None:
    """Queue dispatch of several events in one task; a broker error is left to the sweep."""
    from apps.core.tasks import dispatch_events_task

    try:
        dispatch_events_task.delay(event_ids)
    except Exception:  # the broker is down: the sweep will retry these events
        logger.warning("could not queue %d events; the sweep will retry them", len(event_ids))


def _tasks_run_inline() -> bool:
    """True in the embedded mode (no broker: Celery runs tasks in-process)."""
    from apps.core.tasks import dispatch_pending_task

    return bool(dispatch_pending_task.app.conf.task_always_eager)


def _wake_dispatcher_on_commit() -> None:
    """Wake a dispatcher once the transaction commits: once per transaction, not per event.

    Skipped when the transaction's latest commit callback already is that wake-up (a loop
    of emits); a rolled-back savepoint drops its callbacks, so nothing is skipped wrongly.
    """
    connection = transaction.get_connection()
    latest = connection.run_on_commit[-1][1] if connection.run_on_commit else None
    if connection.in_atomic_block and isinstance(latest, _WakeOnCommit) and not latest.ran:
        return
    transaction.on_commit(_WakeOnCommit())


class _WakeOnCommit:
    """A commit callback that wakes the dispatcher (and remembers that it ran)."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        wake_dispatcher()


def wake_dispatcher() -> None:
    """Queue one ``core.dispatch_pending`` task unless one is queued and not yet started
    (it will claim the new events too); a broker error is left to the sweep."""
    from apps.core.tasks import dispatch_pending_task

    try:
        if shared_cache.add_flag(DISPATCH_WAKE_KEY, DISPATCH_WAKE_SECONDS):
            try:
                dispatch_pending_task.delay()
            except Exception:
                cache.delete(DISPATCH_WAKE_KEY)  # the next commit tries to queue again
                raise
    except Exception:  # the broker is down: the sweep will retry these events
        logger.warning("could not queue the event dispatcher; the sweep will retry", exc_info=True)


def kick(event_id: str) -> None:
    """Make sure the committed event gets dispatched; a broker error is left to the sweep.

    With a broker, queue one ``core.dispatch_pending`` task unless one is already queued
    and not yet started (it will claim this event too), so a burst of commits costs one
    task per batch rather than one per event. In the embedded mode (tasks run in-process)
    only this event is dispatched, so a request never does a backlog's work.
    """
    from apps.core.tasks import dispatch_event_task

    if not _tasks_run_inline():
        wake_dispatcher()
        return
    try:
        dispatch_event_task.delay(event_id)
    except Exception:  # the broker is down: the sweep will retry this event
        logger.warning("could not queue event %s; the sweep will retry it", event_id, exc_info=True)


def dispatch_pending(*, batch: int | None = None, budget_seconds: float | None = None) -> int:
    """Claim undispatched events in batches and hand them over until none is left or the
    time budget runs out (then queue a successor); returns how many were dispatched.

    Each batch is claimed, handed to the subscribers and marked dispatched in one
    transaction: a dispatcher that dies mid-batch leaves its events undispatched (its row
    locks go with its connection) for the next one. A batch whose subscribers fail is
    rolled back and retried event by event, so one bad event cannot hold the others back.
    """
    # From now on a commit queues a new dispatcher: this one may already be past its events.
    cache.delete(DISPATCH_WAKE_KEY)
    size = batch or DISPATCH_BATCH
    deadline = time.monotonic() + (budget_seconds or DISPATCH_BUDGET_SECONDS)
    dispatched = 0
    while True:
        claimed, done = _dispatch_claimed(size)
        dispatched += done
        if claimed < size or done < claimed:
            return dispatched  # drained, or a failing event is left to the sweep
        if time.monotonic() >= deadline:
            kick_pending()
            return dispatched


def kick_pending() -> None:
    """Queue a ``core.dispatch_pending`` task; a broker error is left to the sweep."""
    from apps.core.tasks import dispatch_pending_task

    try:
        dispatch_pending_task.delay()
    except Exception:  # the broker is down: the sweep will retry these events
        logger.warning("could not queue the event dispatcher; the sweep will retry")


def _dispatch_claimed(size: int) -> tuple[int, int]:
    """Claim up to ``size`` undispatched events (oldest first) and hand them over;
    returns (claimed, dispatched)."""
    ids: list[str] = []
    try:
        with transaction.atomic():
            events = list(
                Event.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("school")
                .filter(dispatched_at__isnull=True)
                .order_by("created_at", "id")[:size]
            )
            ids = [event.id for event in events]
            if not ids:
                return 0, 0
            Event.objects.filter(id__in=ids).update(
                dispatch_attempts=F("dispatch_attempts") + 1, dispatched_at=timezone.now()
            )
            _hand_over(events)
        return len(ids), len(ids)
    except Exception:
        logger.warning("a claimed batch of events failed; dispatching them one by one")
    # The failed transaction released the claim: take the same events one at a time.
    dispatched = 0
    for event_id in ids:
        try:
            dispatched += dispatch_event(event_id)
        except Exception:  # logged by dispatch_event; the sweep retries it
            continue
    return len(ids), dispatched


def dispatch_event(event_id: str) -> bool:
    """Hand one event to every subscriber and mark it dispatched; False if already done."""
    event = Event.objects.select_related("school").filter(id=event_id).first()
    if event is None or event.dispatched_at is not None:
        return False
    Event.objects.filter(id=event_id).update(dispatch_attempts=F("dispatch_attempts") + 1)
    for name, handler in subscribers().items():
        try:
            handler(event)  # a batch subscriber's wrapper passes [event]
        except Exception:
            logger.exception("event subscriber %s failed on %s", name, event_id)
            raise
    Event.objects.filter(id=event_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def dispatch_events(event_ids: list[str]) -> int:
    """Hand a batch of events to every subscriber in one transaction; returns how many.

    If a subscriber fails, the batch is rolled back and its events are dispatched one by
    one instead, so one bad event cannot hold the others back.
    """
    try:
        with transaction.atomic():
            events = list(
                Event.objects.select_related("school")
                .filter(id__in=event_ids, dispatched_at__isnull=True)
                .order_by("id")
            )
            ids = [event.id for event in events]
            Event.objects.filter(id__in=ids).update(
                dispatch_attempts=F("dispatch_attempts") + 1, dispatched_at=timezone.now()
            )
            _hand_over(events)
        return len(ids)
    except Exception:
        logger.warning("a batch of %d events failed; dispatching them one by one", len(event_ids))
    dispatched = 0
    for event_id in event_ids:
        try:
            dispatched += dispatch_event(event_id)
        except Exception:  # logged by dispatch_event; the sweep retries it
            continue
    return dispatched


def sweep_events() -> int:
    """Re-queue events older than the grace period that were never dispatched."""
    cutoff = timezone.now() - SWEEP_GRACE
    ids = list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for start in range(0, len(ids), DISPATCH_BATCH):
        kick_batch(ids[start : start + DISPATCH_BATCH])
    return len(ids)
