"""Celery entry points of the catalog. Each takes a job id, calls one service, is idempotent."""

import logging

from celery import shared_task

from apps.catalog.services import content
from apps.core.models import Job
from apps.core.services import job_fail

logger = logging.getLogger(__name__)

UNEXPECTED = "The import stopped on an unexpected error; retry it, or ask the operator."


def _run(job_id: str, run) -> str:
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        return run(job=job).status
    except Exception:
        logger.exception("catalog import job %s failed", job_id)
        content.import_failed(job=job, reason=UNEXPECTED)
        return job_fail(job=job, error=UNEXPECTED).status


@shared_task(name="catalog.asset_import", acks_late=True, ignore_result=True)
def asset_import_task(job_id: str) -> str:
    """Download an asset's file into storage."""
    return _run(job_id, content.asset_import_run)


@shared_task(name="catalog.web_package_import", acks_late=True, ignore_result=True)
def web_package_import_task(job_id: str) -> str:
    """Download, check and unpack a web package."""
    return _run(job_id, content.web_package_import_run)
