"""Celery entry points of the core app. Each takes ids and calls one service."""

from celery import shared_task

from apps.core import events, idempotency


@shared_task(name="core.dispatch_event", acks_late=True)
def dispatch_event_task(event_id: str) -> bool:
    return events.dispatch_event(event_id)


@shared_task(name="core.dispatch_events", acks_late=True)
def dispatch_events_task(event_ids: list[str]) -> int:
    return events.dispatch_events(event_ids)


@shared_task(name="core.dispatch_pending", acks_late=True)
def dispatch_pending_task() -> int:
    return events.dispatch_pending()


@shared_task(name="core.sweep_events")
def sweep_events_task() -> int:
    return events.sweep_events()


@shared_task(name="core.prune_idempotency_keys")
def prune_idempotency_keys_task() -> int:
    return idempotency.prune_records()
