"""The delivery engine: leases, the HTTP attempt, the retry schedule and the pump.

A delivery is sent by whoever holds its lease. ``delivery_run`` (the ``webhooks.deliver``
task) claims the delivery it was queued for, sends it, records the attempt, then keeps
draining that webhook's other due deliveries for a short budget, so a busy endpoint is
served by one warm worker instead of a task per message. Claims happen under a lock on
the webhook row and refuse to start more than ``WEBHOOKS_ENDPOINT_CONCURRENCY`` attempts
at once per webhook: a slow or dead receiver holds at most that many workers.

Failures are retried on a schedule kept in the database (``next_attempt_at``): exponential
backoff with ±20 % jitter, ``WEBHOOKS_MAX_ATTEMPTS`` attempts spread over
``WEBHOOKS_RETRY_WINDOW_SECONDS``. The ``webhooks.pump`` periodic task queues what is due
and returns expired leases (a worker that died mid-attempt) to the queue; a redelivered
task reclaims the attempt its killed run had leased at once. Either way the receiver sees
the same ``webhook-id``.
"""

import base64
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    PositiveSmallIntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.core import http
from apps.core.models import Event
from apps.webhooks import event_types, signing
from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook

logger = logging.getLogger(__name__)

BACKOFF_FACTOR = 3.0
JITTER = 0.2
DRAIN_SECONDS = 5.0
DRAIN_MAX = 500
DRAIN_BATCH = 20
LEASE_MARGIN_SECONDS = 5
SLOW_MS = 2000
# A queued drain task per webhook is remembered this long (the pump covers a lost one).
WAKE_SECONDS = 60
MAX_RETRY_AFTER = timedelta(hours=24)
MAX_PAUSE = timedelta(hours=1)
KEEP_BYTES = 4096
MAX_RESPONSE_BYTES = 1024 * 1024
SUCCESS_WRITE_INTERVAL = timedelta(seconds=1)
PUMP_BATCH = 2000
USER_AGENT = "Lyceum-Webhooks/1.0"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


# --- schedule ---------------------------------------------------------------------------


def retry_delays(max_attempts: int | None = None, window: float | None = None) -> list[float]:
    """Seconds to wait after attempt 1, 2, ... (no jitter); they add up to the window."""
    attempts = settings.WEBHOOKS_MAX_ATTEMPTS if max_attempts is None else max_attempts
    window = settings.WEBHOOKS_RETRY_WINDOW_SECONDS if window is None else window
    retries = max(attempts - 1, 0)
    if retries == 0:
        return []
    base = window * (BACKOFF_FACTOR - 1) / (BACKOFF_FACTOR**retries - 1)
    return [base * BACKOFF_FACTOR**k for k in range(retries)]


def next_delay(series_attempt: int) -> timedelta:
    """How long to wait after the ``series_attempt``-th attempt failed, with jitter."""
    delays = retry_delays()
    if not delays:
        return timedelta(0)
    base = delays[min(series_attempt, len(delays)) - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def retry_after(headers: dict[str, str], now: datetime) -> timedelta | None:
    """The receiver's ``Retry-After`` (seconds or an HTTP date), capped at 24 hours."""
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        wait = timedelta(seconds=int(raw))
    else:
        try:
            wait = parsedate_to_datetime(raw) - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(timedelta(0), min(wait, MAX_RETRY_AFTER))


# --- what is sent -----------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATETIME_FORMAT)


def envelope(event: Event, webhook_id: str, attempt: int) -> dict:
    """The JSON body of a delivery: the event plus which webhook and attempt this is."""
    body = {
        "id": event.id,
        "type": event.type,
        "created_at": iso(event.created_at),
        "data": event.payload,
        "metadata": {"webhook_id": webhook_id, "attempt": attempt},
    }
    alias = event_types.alias_of(event.type)
    if alias:
        body["event_type"] = alias
    return body


def signing_secrets(webhook: Webhook, now: datetime) -> list[str]:
    """The current secret, plus the previous one during the 24 h after a rotation."""
    found = [webhook.secret]
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires and expires > now:
        found.append(webhook.previous_secret)
    return found


def request_headers(
    webhook: Webhook, event_id: str, body: bytes, now: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """The headers to send, and the same headers as logged (credentials redacted)."""
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            signing_secrets(webhook, now), event_id, timestamp, body
        ),
    }
    logged = dict(headers)
    if webhook.basic_auth_username:
        pair = f"{webhook.basic_auth_username}:{webhook.basic_auth_password}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        logged["Authorization"] = "Basic [redacted]"
    return headers, logged


# --- claims -----------------------------------------------------------------------------


@dataclass
class Claim:
    """A leased attempt: this worker alone may send attempt ``number`` of ``delivery``."""

    delivery: Delivery
    webhook: Webhook
    number: int
    owner: str
    lease_until: datetime


def new_owner() -> str:
    """A lease owner for callers that are not Celery tasks."""
    return uuid.uuid4().hex


def endpoint_limit() -> int:
    """Attempts a webhook may have in flight at once."""
    return max(1, settings.WEBHOOKS_ENDPOINT_CONCURRENCY)


def _claimable(delivery: Delivery, owner: str, now: datetime) -> bool:
    if delivery.status == Delivery.Status.PENDING:
        return delivery.next_attempt_at is None or delivery.next_attempt_at <= now
    if delivery.status == Delivery.Status.SENDING:
        expired = delivery.lease_expires_at is None or delivery.lease_expires_at <= now
        return expired or delivery.lease_owner == owner
    return False


def claim(*, webhook_id: str, owner: str, delivery_id: str | None = None) -> Claim | None:
    """Lease ``delivery_id`` (or the webhook's next due delivery); None when it is not ours."""
    found = claim_batch(webhook_id=webhook_id, owner=owner, delivery_id=delivery_id, limit=1)
    return found[0] if found else None


def claim_batch(
    *, webhook_id: str, owner: str, delivery_id: str | None = None, limit: int = 1
) -> list[Claim]:
    """Lease up to ``limit`` due deliveries of one webhook (``delivery_id`` first).

    Holds the webhook row lock while it checks the per-webhook concurrency limit (workers
    with live leases on it), so two workers never lease the same attempt nor exceed the
    limit together. Deliveries of an inactive webhook fail; a paused one's wait.
    """
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().filter(id=webhook_id).first()
        if webhook is None:
            return []
        rows = Delivery.objects.select_for_update(of=("self",)).select_related("event")
        rows = rows.filter(webhook_id=webhook_id)
        picked: list[Delivery] = []
        if delivery_id is not None:
            named = rows.filter(id=delivery_id).first()
            if named is not None and _claimable(named, owner, now):
                picked.append(named)
        if delivery_id is None or limit > 1:
            due = rows.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            due = due.exclude(id__in=[d.id for d in picked]).order_by("next_attempt_at", "id")
            picked.extend(due[: limit - len(picked)])
        usable = [d for d in picked if _usable(d, webhook, now)]
        if not usable:
            return []
        others = (
            Delivery.objects.filter(
                webhook_id=webhook_id,
                status=Delivery.Status.SENDING,
                lease_expires_at__gt=now,
            )
            .exclude(lease_owner=owner)
            .values("lease_owner")
            .distinct()
            .count()
        )
        ids = [d.id for d in usable]
        if others >= endpoint_limit():
            Delivery.objects.filter(id__in=ids).update(
                status=Delivery.Status.PENDING, queued_at=None, updated_at=now
            )
            return []
        Delivery.objects.filter(id__in=ids).update(
            status=Delivery.Status.SENDING,
            lease_owner=owner,
            lease_expires_at=lease_until,
            first_attempt_at=Coalesce("first_attempt_at", Value(now)),
            last_attempt_at=now,
            queued_at=None,
            updated_at=now,
        )
    for delivery in usable:
        delivery.status = Delivery.Status.SENDING
        delivery.lease_owner = owner
        delivery.lease_expires_at = lease_until
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_attempt_at = now
    return [
        Claim(
            delivery=d,
            webhook=webhook,
            number=d.attempt_count + 1,
            owner=owner,
            lease_until=lease_until,
        )
        for d in usable
    ]


def _usable(delivery: Delivery, webhook: Webhook, now: datetime) -> bool:
    """False (and the delivery moved on) when its webhook is inactive or paused."""
    if delivery.is_test:
        return True
    if not webhook.active:
        _give_up(delivery, "The webhook is inactive.", now)
        return False
    if webhook.paused_until and webhook.paused_until > now:
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = max(delivery.next_attempt_at or now, webhook.paused_until)
        delivery.queued_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "queued_at", "updated_at"])
        return False
    return True


def release(targets: list[Claim]) -> None:
    """Give back leased deliveries that will not be sent now; they stay due."""
    if targets:
        Delivery.objects.filter(
            id__in=[t.delivery.id for t in targets],
            status=Delivery.Status.SENDING,
            lease_owner=targets[0].owner,
        ).update(
            status=Delivery.Status.PENDING,
            lease_owner="",
            lease_expires_at=None,
            queued_at=None,
            updated_at=timezone.now(),
        )


def _give_up(delivery: Delivery, error: str, now: datetime) -> None:
    delivery.status = Delivery.Status.FAILED
    delivery.last_error = error
    delivery.next_attempt_at = None
    delivery.queued_at = None
    delivery.lease_owner = ""
    delivery.lease_expires_at = None
    delivery.save(
        update_fields=[
            "status",
            "last_error",
            "next_attempt_at",
            "queued_at",
            "lease_owner",
            "lease_expires_at",
            "updated_at",
        ]
    )


# --- one attempt ------------------------------------------------------------------------


@dataclass
class Result:
    """What one attempt came to."""

    succeeded: bool
    started_at: datetime
    latency_ms: int
    status_code: int | None = None
    response_headers: dict | None = None
    response_body: str = ""
    error: str = ""
    gone: bool = False
    wait: timedelta | None = None
    finished_at: datetime = field(default_factory=timezone.now)


def attempt(target: Claim) -> tuple[Result, dict[str, str], str]:
    """Send one leased attempt; never raises for anything the receiver or network does."""
    webhook = target.webhook
    now = timezone.now()
    body = orjson.dumps(envelope(target.delivery.event, webhook.id, target.number))
    headers, logged = request_headers(webhook, target.delivery.event_id, body, now)
    url = webhook.target_url
    try:
        response = http.safe_request(
            "POST",
            url,
            headers=headers,
            body=body,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
            keep_bytes=KEEP_BYTES,
            max_bytes=MAX_RESPONSE_BYTES,
            allow_http=settings.WEBHOOKS_ALLOW_HTTP,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
        )
    except http.UnsafeURL as exc:
        result = Result(False, now, 0, error=f"Target refused: {exc.reason}")
        return result, logged, url
    except http.FetchError as exc:
        result = Result(False, now, exc.elapsed_ms, status_code=exc.status, error=exc.reason)
        return result, logged, url
    status = response.status
    result = Result(
        succeeded=200 <= status < 300,
        started_at=now,
        latency_ms=response.elapsed_ms,
        status_code=status,
        response_headers=_kept_headers(response.headers),
        response_body=response.body.decode("utf-8", errors="replace"),
    )
    if 300 <= status < 400:
        location = response.headers.get("location", "")[:500]
        result.error = f"Redirect ({status}) to {location or 'nowhere'} not followed."
    elif status == 410:
        result.gone = True
        result.error = "The receiver answered 410 Gone."
    elif not result.succeeded:
        result.error = f"The receiver answered {status}."
        if status in (429, 503):
            result.wait = retry_after(response.headers, now)
    return result, logged, url


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    keep = ("content-type", "content-length", "retry-after", "location", "date", "server")
    return {name: value[:500] for name, value in headers.items() if name in keep}


def record(target: Claim, result: Result, logged: dict[str, str], url: str) -> Delivery:
    """Log the attempt and move the delivery on: done, retry later, or given up.

    The move is conditional on still holding the lease; an attempt whose lease ran out is
    logged but changes nothing (whoever holds the delivery now decides).
    """
    from apps.webhooks.services import webhook_disable

    now = timezone.now()
    delivery = target.delivery
    number = max(delivery.attempt_count, target.number)
    in_series = number - delivery.series_start
    changes: dict = {
        "attempt_count": number,
        "last_status_code": result.status_code,
        "last_error": result.error,
        "lease_owner": "",
        "lease_expires_at": None,
        "updated_at": now,
    }
    final = False
    if result.succeeded:
        changes.update(status=Delivery.Status.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif result.gone or in_series >= delivery.max_attempts:
        changes.update(status=Delivery.Status.FAILED, next_attempt_at=None)
        final = True
    else:
        wait = next_delay(in_series)
        if result.wait is not None:
            wait = max(wait, result.wait)
        changes.update(status=Delivery.Status.PENDING, next_attempt_at=now + wait)
    with transaction.atomic():
        _attempt_row(target, result, logged, url).save(force_insert=True)
        still_ours = Delivery.objects.filter(
            id=delivery.id, status=Delivery.Status.SENDING, lease_owner=target.owner
        ).update(**changes)
        if not still_ours:
            return delivery
        for name, value in changes.items():
            setattr(delivery, name, value)
        _note_health(target.webhook, result, now)
        if result.gone and not delivery.is_test:
            webhook_disable(
                webhook=target.webhook,
                reason=f"The receiver answered 410 Gone on {iso(now)}.",
                notify=True,
            )
        elif final and not delivery.is_test:
            _disable_if_failing(delivery, result, now)
    return delivery


def _attempt_row(target: Claim, result: Result, logged: dict[str, str], url: str):
    return DeliveryAttempt(
        school_id=target.delivery.school_id,
        delivery_id=target.delivery.id,
        number=target.number,
        outcome=(
            DeliveryAttempt.Outcome.SUCCEEDED
            if result.succeeded
            else DeliveryAttempt.Outcome.FAILED
        ),
        started_at=result.started_at,
        request_url=url[:2048],
        request_headers=logged,
        status_code=result.status_code,
        response_headers=result.response_headers or {},
        response_body=result.response_body,
        latency_ms=result.latency_ms,
        error=result.error[:2000],
    )


def record_successes(items: list[tuple[Claim, Result, dict[str, str], str]]) -> None:
    """``record`` for a run of successful attempts of one webhook, in one transaction."""
    if not items:
        return
    now = timezone.now()
    first = items[0][0]
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create([_attempt_row(*item) for item in items])
        Delivery.objects.filter(
            id__in=[target.delivery.id for target, *_rest in items],
            status=Delivery.Status.SENDING,
            lease_owner=first.owner,
        ).update(
            status=Delivery.Status.SUCCEEDED,
            attempt_count=F("attempt_count") + 1,
            last_status_code=Case(
                *[When(id=t.delivery.id, then=Value(r.status_code)) for t, r, *_ in items],
                output_field=PositiveSmallIntegerField(),
            ),
            delivered_at=Case(
                *[When(id=t.delivery.id, then=Value(r.finished_at)) for t, r, *_ in items],
                output_field=DateTimeField(),
            ),
            last_error="",
            lease_owner="",
            lease_expires_at=None,
            next_attempt_at=None,
            updated_at=now,
        )
        _note_health(first.webhook, items[-1][1], now)


def _note_health(webhook: Webhook, result: Result, now: datetime) -> None:
    rows = Webhook.objects.filter(id=webhook.id)
    if result.succeeded:
        recent = webhook.last_success_at and now - webhook.last_success_at < SUCCESS_WRITE_INTERVAL
        if webhook.consecutive_failures or not recent:
            rows.update(last_success_at=now, consecutive_failures=0)
        return
    changes = {
        "last_failure_at": now,
        "last_error": result.error[:2000],
        "consecutive_failures": F("consecutive_failures") + 1,
    }
    if result.wait:
        changes["paused_until"] = now + min(result.wait, MAX_PAUSE)
    rows.update(**changes)


def _disable_if_failing(delivery: Delivery, result: Result, now: datetime) -> None:
    """Disable the webhook when nothing reached it for the whole retry schedule."""
    from apps.webhooks.services import webhook_disable

    webhook = Webhook.objects.select_for_update().get(id=delivery.webhook_id)
    if not webhook.active:
        return
    since = delivery.first_attempt_at or delivery.created_at
    if webhook.last_success_at is not None and webhook.last_success_at >= since:
        return
    attempts = delivery.attempt_count - delivery.series_start
    webhook_disable(
        webhook=webhook,
        reason=(
            f"Every delivery failed from {iso(since)} to {iso(now)} "
            f"({attempts} attempts of {delivery.id}); last error: {result.error}"
        )[:2000],
        notify=True,
    )


# --- running and queueing ---------------------------------------------------------------


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
    if drain:
        cache.delete(wake_key(webhook_id))  # from now on, new deliveries queue a new task
    sent = 0
    deadline = time.monotonic() + DRAIN_SECONDS
    size = DRAIN_BATCH if drain else 1
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
