"""Celery entry points of commerce. Each calls one service and is safe to run twice."""

from celery import shared_task

from apps.commerce.services import credits


@shared_task(name="commerce.training_credit_content_expire", acks_late=True, ignore_result=True)
def training_credit_content_expire_task() -> int:
    """End the access bought with training credit codes that expired with ``expire_content``."""
    return credits.training_credit_content_expire()
