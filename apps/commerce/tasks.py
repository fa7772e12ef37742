"""Celery entry points of commerce. Each takes a job id, calls one service, is idempotent."""

import logging

from celery import shared_task

from apps.commerce.services.promo_code_bulk import promo_codes_bulk_resume, promo_codes_bulk_run
from apps.core.models import Job
from apps.core.services import job_fail

logger = logging.getLogger(__name__)

UNEXPECTED = "The generation stopped on an unexpected error (see the server log)."


@shared_task(
    name="commerce.promo_codes_bulk",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def promo_codes_bulk_task(job_id: str) -> str:
    """Generate a bulk job's promo codes; a redelivered task goes on from what is there."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        return promo_codes_bulk_run(job=job).status
    except Exception:
        logger.exception("promo code generation job %s failed", job_id)
        return job_fail(job=job, error=UNEXPECTED).status


@shared_task(name="commerce.promo_codes_bulk_resume", ignore_result=True)
def promo_codes_bulk_resume_task() -> int:
    """Beat: queue again the generations whose worker died (the broker would only after its
    visibility timeout, an hour)."""
    return len(promo_codes_bulk_resume())
