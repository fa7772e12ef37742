"""Celery entry points of commerce. Each calls one service and is safe to run twice; a job's
task takes the job id."""

import logging

from celery import shared_task

from apps.commerce.services import credits, plans
from apps.core.models import Job
from apps.core.services import job_fail

logger = logging.getLogger(__name__)

UNEXPECTED = "The grant stopped on an unexpected error (see the server log)."


@shared_task(name="commerce.plan_course_grant", acks_late=True, ignore_result=True)
def plan_course_grant_task(job_id: str) -> str:
    """Grant the courses of a plan to the people enrolled in it (after a course joined)."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        return plans.plan_course_grant_run(job=job).status
    except Exception:
        logger.exception("plan course grant job %s failed", job_id)
        return job_fail(job=job, error=UNEXPECTED).status


@shared_task(name="commerce.training_credit_content_expire", acks_late=True, ignore_result=True)
def training_credit_content_expire_task() -> int:
    """End the access bought with training credit codes that expired with ``expire_content``."""
    return credits.training_credit_content_expire()
