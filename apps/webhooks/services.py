"""Writes of the webhooks app: endpoints, fan-out of events, pings, replays and pruning."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core import http
from apps.core.credentials import Credential
from apps.core.errors import Conflict, InvalidInput
from apps.core.models import Event, Job
from apps.core.services import job_advance, job_create, job_fail, job_start, job_succeed
from apps.schools.models import Member, School
from apps.webhooks import delivery as engine
from apps.webhooks import event_types, signing
from apps.webhooks.codes import WebhookErrorCode
from apps.webhooks.models import Delivery, Webhook

logger = logging.getLogger(__name__)

UNSET: Any = object()
SECRET_GRACE = timedelta(hours=24)
REPLAY_BATCH = 500
PRUNE_BATCH = 1000
REPLAY_JOB_KIND = "webhooks.replay"


# --- validation -------------------------------------------------------------------------


def target_url_clean(url: str) -> str:
    """The URL with scheme and host lower-cased, after the SSRF check; 400 naming the reason."""
    try:
        http.check_url(
            url,
            allow_http=settings.WEBHOOKS_ALLOW_HTTP,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
        )
    except http.UnsafeURL as exc:
        raise InvalidInput(
            exc.reason, code=WebhookErrorCode.UNSAFE_TARGET_URL, field="target_url"
        ) from None
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment)
    )


def events_clean(names: Iterable[str], *, field: str = "events") -> list[str]:
    """Canonical dotted names, de-duplicated, for dotted names or Skilljar aliases."""
    found: list[str] = []
    unknown: list[str] = []
    for name in names:
        canonical = event_types.canonical(name) if isinstance(name, str) else None
        if canonical is None:
            unknown.append(str(name))
        elif canonical not in found:
            found.append(canonical)
    if unknown:
        raise InvalidInput(
            f"Unknown event type(s): {', '.join(unknown)}. See GET /api/v1/webhooks/event-types.",
            code=WebhookErrorCode.UNKNOWN_EVENT_TYPE,
            field=field,
        )
    return found


def _events_from(events: Any, event_type: Any) -> list[str] | Any:
    """``events`` wins; Skilljar's ``event_type`` (one name, or null for all) is an alias."""
    if events is not UNSET and event_type is not UNSET:
        from_type = [] if event_type is None else events_clean([event_type], field="event_type")
        if events_clean(events) != from_type:
            raise InvalidInput(
                "Give events or event_type, not two different filters.",
                code=WebhookErrorCode.CONFLICTING_EVENT_FILTERS,
                field="event_type",
            )
    if events is not UNSET:
        return events_clean(events)
    if event_type is not UNSET:
        return [] if event_type is None else events_clean([event_type], field="event_type")
    return UNSET


def secret_clean(secret: str) -> str:
    try:
        signing.secret_key(secret)
    except signing.InvalidSecret as exc:
        raise InvalidInput(str(exc), code=WebhookErrorCode.INVALID_SECRET, field="secret") from None
    return secret


def _check_basic_auth(username: str, password: str) -> None:
    if password and not username:
        raise InvalidInput(
            "basic_auth_password needs a basic_auth_username.",
            code=WebhookErrorCode.INCOMPLETE_BASIC_AUTH,
            field="basic_auth_username",
        )
    if ":" in username:
        raise InvalidInput(
            "basic_auth_username must not contain ':'.",
            code=WebhookErrorCode.INCOMPLETE_BASIC_AUTH,
            field="basic_auth_username",
        )


# --- endpoints --------------------------------------------------------------------------


@transaction.atomic
def webhook_create(
    *,
    school: School,
    target_url: str,
    events: Any = UNSET,
    event_type: Any = UNSET,
    active: bool = True,
    description: str = "",
    basic_auth_username: str = "",
    basic_auth_password: str = "",
    secret: str | None = None,
) -> Webhook:
    """Register an endpoint; the secret is generated when not given (shown once)."""
    chosen = _events_from(events, event_type)
    _check_basic_auth(basic_auth_username, basic_auth_password)
    return Webhook.objects.create(
        school=school,
        target_url=target_url_clean(target_url),
        events=[] if chosen is UNSET else chosen,
        active=active,
        description=description,
        basic_auth_username=basic_auth_username,
        basic_auth_password=basic_auth_password,
        secret=secret_clean(secret) if secret else signing.generate_secret(),
    )


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    events: Any = UNSET,
    event_type: Any = UNSET,
    **fields: Any,
) -> Webhook:
    """Change an endpoint (PUT and PATCH are both partial); re-activating clears the reason."""
    chosen = _events_from(events, event_type)
    if chosen is not UNSET:
        webhook.events = chosen
    if "target_url" in fields:
        webhook.target_url = target_url_clean(fields.pop("target_url"))
    if "secret" in fields:
        secret = fields.pop("secret")
        if secret and secret != webhook.secret:
            _rotate(webhook, secret_clean(secret))
    reactivate = fields.get("active") is True and not webhook.active
    for name in ("active", "description", "basic_auth_username", "basic_auth_password"):
        if name in fields:
            setattr(webhook, name, fields[name])
    _check_basic_auth(webhook.basic_auth_username, webhook.basic_auth_password)
    if fields.get("active") is False and webhook.deactivate_reason is None:
        webhook.deactivate_reason = "Deactivated through the API."
        webhook.deactivated_at = timezone.now()
    if reactivate:
        _reset_health(webhook)
    webhook.save()
    return webhook


def _reset_health(webhook: Webhook) -> None:
    webhook.deactivate_reason = None
    webhook.deactivated_at = None
    webhook.consecutive_failures = 0
    webhook.paused_until = None


def _rotate(webhook: Webhook, secret: str) -> None:
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = timezone.now() + SECRET_GRACE
    webhook.secret = secret


@transaction.atomic
def webhook_rotate_secret(*, webhook: Webhook, secret: str | None = None) -> Webhook:
    """New signing secret; the old one keeps signing alongside it for 24 hours."""
    _rotate(webhook, secret_clean(secret) if secret else signing.generate_secret())
    webhook.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove an endpoint with its delivery log."""
    webhook.delete()


@transaction.atomic
def webhook_enable(*, webhook: Webhook) -> Webhook:
    """Turn a disabled endpoint back on (admin action, or ``active: true`` in the API)."""
    webhook.active = True
    _reset_health(webhook)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_disable(*, webhook: Webhook, reason: str, notify: bool = False) -> Webhook:
    """Turn an endpoint off with a reason; its pending deliveries fail. ``notify`` mails
    the school's admins once the change commits."""
    now = timezone.now()
    changed = Webhook.objects.filter(id=webhook.id, active=True).update(
        active=False, deactivate_reason=reason, deactivated_at=now, updated_at=now
    )
    webhook.active = False
    webhook.deactivate_reason = reason
    webhook.deactivated_at = now
    Delivery.objects.filter(
        webhook_id=webhook.id, status=Delivery.Status.PENDING, is_test=False
    ).update(
        status=Delivery.Status.FAILED,
        last_error=f"The webhook was disabled: {reason}"[:2000],
        next_attempt_at=None,
        queued_at=None,
        updated_at=now,
    )
    if changed and notify:
        transaction.on_commit(lambda: _mail_disabled(webhook.id))
    return webhook


def _mail_disabled(webhook_id: str) -> int:
    """E-mail every active admin of the school that the endpoint was disabled."""
    webhook = Webhook.objects.select_related("school").filter(id=webhook_id).first()
    if webhook is None:
        return 0
    emails = list(
        Member.objects.filter(
            school_id=webhook.school_id,
            role=Member.Role.ADMIN,
            status=Member.Status.ACTIVE,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )
    if not emails:
        return 0
    context = {"webhook": webhook, "school": webhook.school}
    subject = render_to_string("webhooks/endpoint_disabled_subject.txt", context).strip()
    body = render_to_string("webhooks/endpoint_disabled.txt", context)
    messages = [(subject, body, None, [email]) for email in emails]
    try:
        return send_mass_mail(messages, fail_silently=False)
    except Exception:  # mail is best-effort; the reason stays visible in the API and admin
        logger.exception("could not e-mail admins about disabled webhook %s", webhook_id)
        return 0


# --- fan-out, ping, replay --------------------------------------------------------------


def event_fan_out(event: Event) -> list[str]:
    """Subscriber of the events outbox: one delivery per distinct URL among the school's
    active webhooks that want this event, then queue them. Idempotent (unique per event
    and URL): an event handed over twice re-queues only what is still pending."""
    if event.type == event_types.PING:
        return []
    chosen: dict[str, Webhook] = {}
    webhooks = Webhook.objects.filter(school_id=event.school_id, active=True).order_by("id")
    for webhook in webhooks.only("id", "target_url", "events"):
        if (not webhook.events or event.type in webhook.events) and (
            webhook.target_url not in chosen
        ):
            chosen[webhook.target_url] = webhook
    if not chosen:
        return []
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                school_id=event.school_id,
                event=event,
                webhook=webhook,
                target_url=url,
                event_type=event.type,
                max_attempts=settings.WEBHOOKS_MAX_ATTEMPTS,
                next_attempt_at=now,
                queued_at=now,
            )
            for url, webhook in chosen.items()
        ],
        ignore_conflicts=True,
    )
    pending = list(
        Delivery.objects.filter(event=event, status=Delivery.Status.PENDING).values_list(
            "id", "webhook_id"
        )
    )
    if pending:
        transaction.on_commit(lambda: engine.wake(pending))
    return [i for i, _webhook_id in pending]


@transaction.atomic
def webhook_test(*, webhook: Webhook) -> Delivery:
    """Send a ``ping`` event to this endpoint only (one attempt, even if inactive)."""
    now = timezone.now()
    event = Event.objects.create(
        school_id=webhook.school_id,
        type=event_types.PING,
        payload={"message": "Lyceum webhook test", "webhook_id": webhook.id},
        dispatched_at=now,
    )
    delivery = Delivery.objects.create(
        school_id=webhook.school_id,
        event=event,
        webhook=webhook,
        target_url=webhook.target_url,
        event_type=event.type,
        max_attempts=1,
        next_attempt_at=now,
        queued_at=now,
        is_test=True,
    )
    transaction.on_commit(lambda: engine.queue([delivery.id]))
    return delivery


@transaction.atomic
def delivery_replay(*, delivery: Delivery) -> Delivery:
    """Send a delivery again with a fresh retry schedule (same ``webhook-id``)."""
    delivery = Delivery.objects.select_for_update().select_related("webhook").get(id=delivery.id)
    if delivery.status == Delivery.Status.SENDING:
        raise Conflict("This delivery is being sent right now.")
    if not delivery.webhook.active and not delivery.is_test:
        raise Conflict("The webhook is inactive; re-activate it before replaying.")
    now = timezone.now()
    delivery.status = Delivery.Status.PENDING
    delivery.series_start = delivery.attempt_count
    delivery.next_attempt_at = now
    delivery.queued_at = now
    delivery.replay_count += 1
    delivery.save()
    transaction.on_commit(lambda: engine.queue([delivery.id]))
    return delivery


def webhook_replay_failed_start(
    *, webhook: Webhook, since: datetime, credential: Credential | None = None
) -> Job:
    """Start a job that replays the endpoint's failed deliveries created since ``since``."""
    if not webhook.active:
        raise Conflict("The webhook is inactive; re-activate it before replaying.")
    job = job_create(
        school=webhook.school,
        kind=REPLAY_JOB_KIND,
        credential=credential,
        params={"webhook_id": webhook.id, "since": engine.iso(since)},
    )
    from apps.webhooks.tasks import replay_failed_task

    transaction.on_commit(lambda: replay_failed_task.delay(job.id))
    return job


def webhook_replay_failed_run(*, job: Job) -> Job:
    """The replay job's work: re-open failed deliveries in batches, then queue them."""
    from django.utils.dateparse import parse_datetime

    webhook = Webhook.objects.filter(id=job.params["webhook_id"], school_id=job.school_id).first()
    since = parse_datetime(job.params["since"])
    if webhook is None or since is None:
        return job_fail(job=job, error="The webhook no longer exists.")
    failed = Delivery.objects.filter(
        webhook=webhook, status=Delivery.Status.FAILED, created_at__gte=since
    )
    job_start(job=job, total=failed.count())
    replayed = 0
    last_id = ""
    while True:
        batch = failed.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)
        ids = list(batch[:REPLAY_BATCH])
        if not ids:
            break
        last_id = ids[-1]
        now = timezone.now()
        Delivery.objects.filter(id__in=ids, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING,
            series_start=F("attempt_count"),
            next_attempt_at=now,
            queued_at=None,
            replay_count=F("replay_count") + 1,
            updated_at=now,
        )
        replayed += len(ids)
        job_advance(job=job, done=len(ids))
    engine.pump()
    return job_succeed(job=job, result={"replayed": replayed})


def deliveries_prune(*, older_than: timedelta, batch: int = PRUNE_BATCH) -> int:
    """Delete finished deliveries (and their attempts) created before ``now - older_than``."""
    cutoff = timezone.now() - older_than
    finished = Delivery.objects.filter(
        created_at__lt=cutoff,
        status__in=[Delivery.Status.SUCCEEDED, Delivery.Status.FAILED],
    )
    deleted = 0
    while True:
        ids = list(finished.values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        Delivery.objects.filter(id__in=ids).delete()
        deleted += len(ids)
