"""Webhook endpoints: validation (SSRF, events, secrets), changes, disabling and its e-mail."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core import http
from apps.core.errors import Conflict, InvalidInput
from apps.schools.models import Member, School
from apps.webhooks import event_types, signing
from apps.webhooks.codes import WebhookErrorCode
from apps.webhooks.models import Delivery, DeliveryError, Webhook
from apps.webhooks.selectors import webhook_delete_job

logger = logging.getLogger(__name__)

UNSET: Any = object()
SECRET_GRACE = timedelta(hours=24)


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
    """Change an endpoint (PUT and PATCH are both partial); re-activating clears the reason.
    409 ``webhook_deleting`` while the endpoint is being deleted."""
    _check_not_deleting(webhook)
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


def _check_not_deleting(webhook: Webhook) -> None:
    """409 ``webhook_deleting`` while a job deletes the endpoint: it cannot change or return."""
    if webhook_delete_job(webhook=webhook) is not None:
        raise Conflict("The webhook is being deleted.", code=WebhookErrorCode.WEBHOOK_DELETING)


@transaction.atomic
def webhook_enable(*, webhook: Webhook) -> Webhook:
    """Turn a disabled endpoint back on (admin action, or ``active: true`` in the API); 409
    ``webhook_deleting`` while the endpoint is being deleted."""
    _check_not_deleting(webhook)
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
        last_error_code=DeliveryError.WEBHOOK_DISABLED,
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
