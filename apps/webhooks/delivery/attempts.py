"""One HTTP attempt and what it changes: the attempt log, the delivery, the webhook's health."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, PositiveSmallIntegerField, Value, When
from django.utils import timezone

from apps.core import http
from apps.webhooks.delivery.leases import Claim
from apps.webhooks.delivery.payload import envelope, iso, request_headers
from apps.webhooks.delivery.schedule import next_delay, retry_after
from apps.webhooks.models import Delivery, DeliveryAttempt, DeliveryError, Webhook

logger = logging.getLogger(__name__)

MAX_PAUSE = timedelta(hours=1)
KEEP_BYTES = 4096
MAX_RESPONSE_BYTES = 1024 * 1024
SUCCESS_WRITE_INTERVAL = timedelta(seconds=1)

# What the delivery log says about a failure: one fixed sentence per category. The network's
# and the receiver's own error text go to the server log only (see apps.core.http).
ERROR_TEXT = {
    DeliveryError.BLOCKED: "The target is not allowed (not a public address, or a URL this "
    "server refuses).",
    DeliveryError.DNS: "The target's host name does not resolve.",
    DeliveryError.REFUSED: "The receiver refused the connection.",
    DeliveryError.TIMEOUT: "The receiver timed out.",
    DeliveryError.TLS: "The TLS handshake or the certificate check failed.",
    DeliveryError.CONNECTION: "The connection failed or was closed without an answer.",
    DeliveryError.PROTOCOL: "The receiver's answer is not valid HTTP.",
    DeliveryError.TOO_LARGE: (
        f"The receiver's answer is over the {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB limit."
    ),
    DeliveryError.INTERNAL: "Lyceum could not send this attempt; it is retried on schedule.",
}


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
    error_code: str = ""
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
        logger.info("webhook attempt of %s refused: %s", target.delivery.id, exc.reason)
        return _failed(now, 0, DeliveryError(exc.kind)), logged, url
    except http.FetchError as exc:
        logger.info("webhook attempt of %s failed: %s", target.delivery.id, exc.detail)
        result = _failed(now, exc.elapsed_ms, DeliveryError(exc.kind), status_code=exc.status)
        return result, logged, url
    except Exception:  # a bug must not strand the lease: log it, retry on schedule
        logger.exception("webhook attempt of %s failed unexpectedly", target.delivery.id)
        return _failed(now, 0, DeliveryError.INTERNAL), logged, url
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
        result.error_code = DeliveryError.REDIRECT
        result.error = f"The receiver answered {status} (a redirect, not followed)."
    elif status == 410:
        result.gone = True
        result.error_code = DeliveryError.HTTP_STATUS
        result.error = "The receiver answered 410 Gone."
    elif not result.succeeded:
        result.error_code = DeliveryError.HTTP_STATUS
        result.error = f"The receiver answered {status}."
        if status in (429, 503):
            result.wait = retry_after(response.headers, now)
    return result, logged, url


def _failed(
    now: datetime, latency_ms: int, code: DeliveryError, status_code: int | None = None
) -> Result:
    """A failed attempt described by its category alone."""
    return Result(
        False,
        now,
        latency_ms,
        status_code=status_code,
        error=ERROR_TEXT[code],
        error_code=code,
    )


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    keep = ("content-type", "content-length", "retry-after", "location", "date", "server")
    return {name: value[:500] for name, value in headers.items() if name in keep}


def record(target: Claim, result: Result, logged: dict[str, str], url: str) -> Delivery:
    """Log the attempt and move the delivery on: done, retry later, or given up.

    The move is conditional on still holding the lease; an attempt whose lease ran out is
    logged but changes nothing (whoever holds the delivery now decides).
    """
    from apps.webhooks.services.endpoints import webhook_disable

    now = timezone.now()
    delivery = target.delivery
    number = max(delivery.attempt_count, target.number)
    in_series = number - delivery.series_start
    changes: dict = {
        "attempt_count": number,
        "last_status_code": result.status_code,
        "last_error": result.error,
        "last_error_code": result.error_code,
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
        error_code=result.error_code,
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
            last_error_code="",
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
    from apps.webhooks.services.endpoints import webhook_disable

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
