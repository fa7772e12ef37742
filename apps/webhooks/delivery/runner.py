"""Running deliveries: draining a webhook's backlog, waking workers, and the pump."""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.webhooks.delivery.attempts import Result, attempt, record, record_successes
from apps.webhooks.delivery.leases import Claim, claim_batch, endpoint_limit, release
from apps.webhooks.models import Delivery

logger = logging.getLogger(__name__)

# A worker drains one webhook for at most this long / this many attempts, in leased batches.
DRAIN_SECONDS = 5.0
DRAIN_MAX = 500
DRAIN_BATCH = 100
LEASE_MARGIN_SECONDS = 5
SLOW_MS = 2000
# A queued drain task per webhook is remembered this long (the pump covers a lost one).
WAKE_SECONDS = 60
PUMP_BATCH = 2000


def delivery_run(*, delivery_id: str, owner: str, drain: bool = True) -> int:
    """Send ``delivery_id`` if it is due, then the webhook's other due deliveries for a
    short budget; returns how many attempts were made. Safe to run twice."""
    row = Delivery.objects.filter(id=delivery_id).values("webhook_id", "status").first()
    if row is None:
        return 0
    webhook_id = row["webhook_id"]
    # A redelivered task first finishes the attempt its killed run had leased.
    orphan = (
        Delivery.objects.filter(status=Delivery.Status.SENDING, lease_owner=owner)
        .values_list("id", "webhook_id")
        .first()
    )
    if orphan is not None:
        delivery_id, webhook_id = orphan
    cache.delete(wake_key(webhook_id))  # from now on, new deliveries queue a new task
    sent = 0
    deadline = time.monotonic() + DRAIN_SECONDS
    size = DRAIN_BATCH if drain and _lease_covers_several() else 1
    batch = claim_batch(webhook_id=webhook_id, owner=owner, delivery_id=delivery_id, limit=size)
    if not batch and drain:
        batch = claim_batch(webhook_id=webhook_id, owner=owner, limit=size)
    while batch:
        healthy = True
        succeeded: list[tuple[Claim, Result, dict[str, str], str]] = []
        for index, target in enumerate(batch):
            if index and (time.monotonic() >= deadline or not _lease_covers(target)):
                release(batch[index:])
                break
            result, logged, url = attempt(target)
            sent += 1
            if result.succeeded:
                succeeded.append((target, result, logged, url))
                continue
            record_successes(succeeded)
            succeeded = []
            record(target, result, logged, url)
            # A receiver that fails fast is tried again at once; one that times out or
            # refuses connections is left to the pump, not hammered by this worker.
            healthy = result.status_code is not None and result.latency_ms < SLOW_MS
            release(batch[index + 1 :])
            break
        record_successes(succeeded)
        if not drain or not healthy or not batch[0].webhook.active:
            break
        if sent >= DRAIN_MAX or time.monotonic() >= deadline:
            _queue_next(webhook_id)
            break
        batch = claim_batch(webhook_id=webhook_id, owner=owner, limit=size)
    return sent


def _lease_covers_several() -> bool:
    """False when a lease is too short for a second attempt (each attempt must end inside
    it): then claiming a batch would only lease deliveries to release them again."""
    margin = settings.WEBHOOKS_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS
    return settings.WEBHOOKS_LEASE_SECONDS > margin


def _lease_covers(target: Claim) -> bool:
    """True while an attempt started now would end before the lease runs out."""
    margin = timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    return timezone.now() + margin < target.lease_until


def _queue_next(webhook_id: str) -> None:
    """Hand the rest of a webhook's backlog to another task (fairness between webhooks)."""
    now = timezone.now()
    next_id = (
        Delivery.objects.filter(
            webhook_id=webhook_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    if next_id:
        Delivery.objects.filter(id=next_id).update(queued_at=now)
        queue([next_id])


def wake_key(webhook_id: str) -> str:
    return f"webhooks:wake:{webhook_id}"


def wake(pending: list[tuple[str, str]]) -> int:
    """Queue one task per webhook for new ``(delivery_id, webhook_id)`` pairs, unless a
    task for that webhook is already queued (it will drain these too)."""
    chosen: dict[str, str] = {}
    for delivery_id, webhook_id in pending:
        chosen.setdefault(webhook_id, delivery_id)
    added = _add_marks([wake_key(webhook_id) for webhook_id in chosen])
    marked = [
        (delivery_id, webhook_id)
        for (webhook_id, delivery_id), ok in zip(chosen.items(), added, strict=True)
        if ok
    ]
    queued = queue([delivery_id for delivery_id, _webhook_id in marked])
    for _delivery_id, webhook_id in marked[queued:]:
        cache.delete(wake_key(webhook_id))
    return queued


def _add_marks(keys: list[str]) -> list[bool]:
    """``cache.add`` for several keys; one round trip when the cache is Redis."""
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None or len(keys) < 2:
        return [cache.add(key, 1, timeout=WAKE_SECONDS) for key in keys]
    pipeline = client_of(None, write=True).pipeline(transaction=False)
    for key in keys:
        pipeline.set(cache.make_and_validate_key(key), 1, nx=True, ex=WAKE_SECONDS)
    return [bool(ok) for ok in pipeline.execute()]


def queue(delivery_ids: list[str]) -> int:
    """Queue a ``webhooks.deliver`` task per id; with the broker down, leave them to the pump."""
    from apps.webhooks.tasks import deliver_task

    for index, delivery_id in enumerate(delivery_ids):
        try:
            deliver_task.delay(delivery_id)
        except (OperationalError, ConnectionError, OSError):
            logger.warning("could not queue webhook deliveries; the pump will retry them")
            Delivery.objects.filter(id__in=delivery_ids[index:]).update(queued_at=None)
            return index
    return len(delivery_ids)


def in_flight(webhook_ids: list[str], now: datetime) -> dict[str, int]:
    """Attempts under a live lease, per webhook."""
    rows = (
        Delivery.objects.filter(
            webhook_id__in=webhook_ids,
            status=Delivery.Status.SENDING,
            lease_expires_at__gt=now,
        )
        .values("webhook_id")
        .annotate(n=Count("id"))
    )
    return {row["webhook_id"]: row["n"] for row in rows}


def pump(*, batch: int = PUMP_BATCH) -> dict[str, int]:
    """Return expired leases to the queue and queue due deliveries, up to the per-webhook
    limit (the worker that takes one drains the rest of that webhook's backlog)."""
    now = timezone.now()
    expired = Delivery.objects.filter(
        status=Delivery.Status.SENDING, lease_expires_at__lte=now
    ).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        queued_at=None,
        lease_owner="",
        lease_expires_at=None,
        updated_at=now,
    )
    stale = now - timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .order_by("next_attempt_at", "id")
        .values_list("id", "webhook_id")[:batch]
    )
    per_webhook: dict[str, list[str]] = {}
    for delivery_id, webhook_id in due:
        per_webhook.setdefault(webhook_id, []).append(delivery_id)
    busy = in_flight(list(per_webhook), now)
    chosen: list[str] = []
    for webhook_id, ids in per_webhook.items():
        chosen.extend(ids[: max(0, endpoint_limit() - busy.get(webhook_id, 0))])
    if chosen:
        Delivery.objects.filter(id__in=chosen).update(queued_at=now)
        queue(chosen)
    return {"expired": expired, "queued": len(chosen)}
