"""Reads of the core app."""

from django.db.models import QuerySet

from apps.core.models import Event, Job


def event_list(*, school) -> QuerySet[Event]:
    """A school's events, newest first."""
    return Event.objects.filter(school=school).order_by("-created_at", "-id")


def job_get(*, school, job_id: str) -> Job | None:
    return Job.objects.filter(school=school, id=job_id).first()
