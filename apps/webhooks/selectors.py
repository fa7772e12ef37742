"""Reads of the webhooks app."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.fields.json import KT

from apps.core.errors import NotFound
from apps.core.models import Job
from apps.schools.models import School
from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook


def webhook_get(*, school: School, webhook_id: str) -> Webhook:
    """The school's webhook; another school's id is 404 like a missing one."""
    webhook = Webhook.objects.filter(school=school, id=webhook_id).first()
    if webhook is None:
        raise NotFound("Webhook not found.")
    return webhook


def delivery_list(*, queryset: QuerySet[Delivery], webhook_id: str) -> QuerySet[Delivery]:
    """A webhook's deliveries, newest first, with the event loaded."""
    return (
        queryset.filter(webhook_id=webhook_id)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


def delivery_with_attempts(queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Deliveries with their attempts in order."""
    return queryset.prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number", "id"))
    )


def delivery_status_report(*, school: School | None = None) -> dict:
    """Backlog and failing endpoints, for ``manage.py webhooks_status``."""
    from datetime import timedelta

    from django.db.models import Count, Min, Q
    from django.utils import timezone

    now = timezone.now()
    day_ago = now - timedelta(days=1)
    deliveries = Delivery.objects.all()
    webhooks = Webhook.objects.select_related("school")
    if school is not None:
        deliveries = deliveries.filter(school=school)
        webhooks = webhooks.filter(school=school)
    pending = Q(status=Delivery.Status.PENDING)
    sending = Q(status=Delivery.Status.SENDING)
    counts = deliveries.aggregate(
        due=Count("id", filter=pending & Q(next_attempt_at__lte=now)),
        scheduled=Count("id", filter=pending & Q(next_attempt_at__gt=now)),
        sending=Count("id", filter=sending & Q(lease_expires_at__gt=now)),
        expired_leases=Count("id", filter=sending & Q(lease_expires_at__lte=now)),
        oldest_due=Min("next_attempt_at", filter=pending & Q(next_attempt_at__lte=now)),
        succeeded_24h=Count(
            "id", filter=Q(status=Delivery.Status.SUCCEEDED, delivered_at__gte=day_ago)
        ),
        failed_24h=Count("id", filter=Q(status=Delivery.Status.FAILED, updated_at__gte=day_ago)),
    )
    oldest = counts.pop("oldest_due")
    counts["oldest_due_seconds"] = int((now - oldest).total_seconds()) if oldest else 0
    failing = webhooks.filter(
        Q(active=True, consecutive_failures__gt=0)
        | Q(active=False, deactivated_at__gte=now - timedelta(days=7))
    ).order_by("-consecutive_failures", "id")
    counts["failing_webhooks"] = [
        {
            "id": webhook.id,
            "school": webhook.school.slug,
            "target_url": webhook.target_url,
            "active": webhook.active,
            "consecutive_failures": webhook.consecutive_failures,
            "last_error": webhook.last_error[:200],
            "deactivate_reason": webhook.deactivate_reason,
        }
        for webhook in failing[:100]
    ]
    return counts


WEBHOOK_DELETE_JOB_KIND = "webhooks.delete"


def webhook_delete_job(*, webhook: Webhook) -> Job | None:
    """The queued or running job deleting ``webhook``, if its deletion started."""
    return (
        Job.objects.filter(
            school_id=webhook.school_id,
            kind=WEBHOOK_DELETE_JOB_KIND,
            params__webhook_id=webhook.id,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
        .order_by("created_at", "id")
        .first()
    )


def webhooks_not_deleting(queryset: QuerySet[Webhook]) -> QuerySet[Webhook]:
    """``queryset`` without the endpoints whose deletion has started: to the API they are
    gone at once (404, their log too), while the job removes their rows."""
    deleting = Job.objects.alias(target=KT("params__webhook_id")).filter(
        kind=WEBHOOK_DELETE_JOB_KIND,
        target=OuterRef("id"),
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    )
    return queryset.exclude(Exists(deleting))
