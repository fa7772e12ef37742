"""Celery entry points of enrollments. Each takes a job id, calls one service, is idempotent."""

import logging

from celery import shared_task

from apps.core.models import Job
from apps.core.services import job_fail
from apps.enrollments.services import enrollments

logger = logging.getLogger(__name__)

UNEXPECTED = "The grant stopped on an unexpected error (see the server log)."


@shared_task(name="enrollments.path_course_grant", acks_late=True, ignore_result=True)
def path_course_grant_task(job_id: str) -> str:
    """Grant a course that joined a path to the people enrolled in the path."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        return enrollments.path_course_grant_run(job=job).status
    except Exception:
        logger.exception("path course grant job %s failed", job_id)
        return job_fail(job=job, error=UNEXPECTED).status
