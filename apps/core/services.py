"""Writes of the core app: the life of a Job."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from apps.core.credentials import Credential
from apps.core.models import Job


def job_create(
    *,
    school,
    kind: str,
    scope: str,
    credential: Credential | None = None,
    params: dict | None = None,
    total: int | None = None,
) -> Job:
    """Record slow work to be done; the caller queues the task that runs it.

    ``scope`` is the read scope an API key needs to see the job.
    """
    return Job.objects.create(
        school=school,
        kind=kind,
        scope=scope,
        params=params or {},
        progress_total=total,
        created_by=credential.user if credential and credential.is_user else None,
        created_by_key=credential.api_key if credential and credential.is_api_key else None,
    )


def job_start(*, job: Job, total: int | None = None) -> Job:
    """Mark a job running (again, if a worker died and the task was redelivered)."""
    job.status = Job.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    if total is not None:
        job.progress_total = total
    job.save(update_fields=["status", "started_at", "progress_total", "updated_at"])
    return job


def job_advance(*, job: Job, done: int = 1) -> None:
    """Add to a running job's progress."""
    Job.objects.filter(pk=job.pk).update(
        progress_done=F("progress_done") + done, updated_at=timezone.now()
    )


def job_succeed(*, job: Job, result: Any = None) -> Job:
    """Mark a job done with its result; a known total counts as fully done."""
    job.refresh_from_db(fields=["progress_done"])
    job.status = Job.Status.SUCCEEDED
    job.result = result
    job.finished_at = timezone.now()
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    job.save(update_fields=["status", "result", "finished_at", "progress_done", "updated_at"])
    return job


def job_fail(*, job: Job, error: str) -> Job:
    """Mark a job failed with its error (kept to the first 10,000 characters)."""
    job.status = Job.Status.FAILED
    job.error = error[:10_000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return job
