"""Celery entry points of commerce. Each calls one service and is safe to run twice; a job's
task takes the job id and fails the job, never the worker, on an unexpected error."""

import logging
from collections.abc import Callable

from celery import shared_task

from apps.commerce.services import credits, plans, subscriptions
from apps.commerce.services.promo_code_bulk import promo_codes_bulk_resume, promo_codes_bulk_run
from apps.core.models import Job
from apps.core.services import job_fail

logger = logging.getLogger(__name__)


def _run_job(job_id: str, run: Callable[..., Job], what: str) -> str:
    """Run ``run(job=…)`` on an unfinished job; its status ("skipped" when finished)."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        return run(job=job).status
    except Exception:
        logger.exception("%s job %s failed", what, job_id)
        return job_fail(
            job=job, error=f"The {what} stopped on an unexpected error (see the server log)."
        ).status


@shared_task(name="commerce.plan_course_grant", acks_late=True, ignore_result=True)
def plan_course_grant_task(job_id: str) -> str:
    """Grant the courses of a plan to the people enrolled in it (after a course joined)."""
    return _run_job(job_id, plans.plan_course_grant_run, "grant")


@shared_task(
    name="commerce.promo_codes_bulk",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def promo_codes_bulk_task(job_id: str) -> str:
    """Generate a bulk job's promo codes; a redelivered task goes on from what is there."""
    return _run_job(job_id, promo_codes_bulk_run, "generation")


@shared_task(name="commerce.promo_codes_bulk_resume", ignore_result=True)
def promo_codes_bulk_resume_task() -> int:
    """Beat: queue again the generations whose worker died (the broker would only after its
    visibility timeout, an hour)."""
    return len(promo_codes_bulk_resume())


@shared_task(name="commerce.training_credit_content_expire", acks_late=True, ignore_result=True)
def training_credit_content_expire_task() -> int:
    """End the access bought with training credit codes that expired with ``expire_content``."""
    return credits.training_credit_content_expire()


@shared_task(name="commerce.renew_subscriptions", acks_late=True, ignore_result=True)
def renew_subscriptions_task() -> dict[str, int]:
    """The renewal sweep (on beat): renew, mark past due or cancel every due subscription.
    Two at once act on each subscription once (rows locked, locked rows skipped)."""
    return subscriptions.subscriptions_renew_due()
