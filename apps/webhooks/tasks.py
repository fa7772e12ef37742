"""Celery entry points of the webhooks app. Each takes ids, calls one service, is idempotent."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from apps.core.models import Job
from apps.webhooks import delivery
from apps.webhooks.services.deliveries import deliveries_prune, webhook_replay_failed_run
from apps.webhooks.services.removal import webhook_delete_run


@shared_task(name="webhooks.deliver", bind=True, acks_late=True, ignore_result=True)
def deliver_task(self, delivery_id: str) -> int:
    """Send one due delivery (and drain the webhook's backlog when run by a worker)."""
    owner = self.request.id or delivery.new_owner()
    return delivery.delivery_run(
        delivery_id=delivery_id, owner=owner, drain=not self.request.is_eager
    )


@shared_task(name="webhooks.pump", ignore_result=True)
def pump_task() -> dict:
    """Queue due retries and return expired leases (periodic)."""
    return delivery.pump()


@shared_task(name="webhooks.replay_failed", acks_late=True, ignore_result=True)
def replay_failed_task(job_id: str) -> str:
    """Run a bulk replay job; a finished job is left alone."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    return webhook_replay_failed_run(job=job).status


@shared_task(name="webhooks.delete", acks_late=True, ignore_result=True)
def webhook_delete_task(job_id: str) -> str:
    """Run an endpoint deletion job; a finished job is left alone."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    return webhook_delete_run(job=job).status


@shared_task(name="webhooks.prune_deliveries", ignore_result=True)
def prune_deliveries_task() -> int:
    """Delete finished deliveries past the retention period (periodic)."""
    days = settings.WEBHOOKS_DELIVERY_RETENTION_DAYS
    return deliveries_prune(older_than=timedelta(days=days))
