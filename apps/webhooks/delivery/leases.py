"""Leases: which worker may send which attempt, within the per-webhook concurrency limit."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.webhooks.models import Delivery, DeliveryError, Webhook


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
    delivery.last_error_code = DeliveryError.WEBHOOK_DISABLED
    delivery.next_attempt_at = None
    delivery.queued_at = None
    delivery.lease_owner = ""
    delivery.lease_expires_at = None
    delivery.save(
        update_fields=[
            "status",
            "last_error",
            "last_error_code",
            "next_attempt_at",
            "queued_at",
            "lease_owner",
            "lease_expires_at",
            "updated_at",
        ]
    )
