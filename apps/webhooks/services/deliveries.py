"""Deliveries: fan-out of committed events, test pings, replays and pruning."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.credentials import Credential
from apps.core.errors import Conflict
from apps.core.models import Event, Job
from apps.core.services import job_advance, job_create, job_fail, job_start, job_succeed
from apps.webhooks import delivery as engine
from apps.webhooks import event_types
from apps.webhooks.models import Delivery, Webhook

REPLAY_BATCH = 500
FAN_OUT_INSERT_BATCH = 1000
PRUNE_BATCH = 1000
REPLAY_JOB_KIND = "webhooks.replay"


# --- fan-out, ping, replay --------------------------------------------------------------


def event_fan_out(event: Event) -> list[str]:
    """``events_fan_out`` for one event."""
    return events_fan_out([event])


def events_fan_out(events: list[Event]) -> list[str]:
    """Batch subscriber of the events outbox: one delivery per event and distinct URL among
    its school's active webhooks that want it, then wake the webhooks' workers; returns the
    pending delivery ids. A constant number of queries per batch (the webhooks of all the
    batch's schools, one bulk insert, one read back). Idempotent (unique per event and URL):
    events handed over twice re-queue only what is still pending."""
    events = [event for event in events if event.type != event_types.PING]
    if not events:
        return []
    by_school: dict[str, list[Webhook]] = {}
    webhooks = Webhook.objects.filter(
        school_id__in={event.school_id for event in events}, active=True
    ).order_by("id")
    for webhook in webhooks.only("id", "school_id", "target_url", "events"):
        by_school.setdefault(webhook.school_id, []).append(webhook)
    now = timezone.now()
    rows: list[Delivery] = []
    for event in events:
        chosen: dict[str, Webhook] = {}
        for webhook in by_school.get(event.school_id, ()):
            if (not webhook.events or event.type in webhook.events) and (
                webhook.target_url not in chosen
            ):
                chosen[webhook.target_url] = webhook
        rows.extend(
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
        )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=FAN_OUT_INSERT_BATCH)
    pending = list(
        Delivery.objects.filter(
            event_id__in={row.event_id for row in rows}, status=Delivery.Status.PENDING
        ).values_list("id", "webhook_id")
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
        scope="read:webhooks",
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
