"""Celery entry points of commerce. Each calls one service and is safe to run twice."""

from celery import shared_task

from apps.commerce.services import subscriptions


@shared_task(name="commerce.renew_subscriptions", acks_late=True, ignore_result=True)
def renew_subscriptions_task() -> dict[str, int]:
    """The renewal sweep (on beat): renew, mark past due or cancel every due subscription.
    Two at once act on each subscription once (rows locked, locked rows skipped)."""
    return subscriptions.subscriptions_renew_due()
