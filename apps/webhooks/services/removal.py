"""Deleting an endpoint: a Job, because its delivery log may hold millions of rows.

The request only switches the endpoint off (no new deliveries are created for it, pending
ones fail) and records the job; the task deletes the log in batches, each in its own short
transaction, then the endpoint. Safe to run twice: a redelivered task carries on from
whatever is left.
"""

from django.db import transaction

from apps.core.credentials import Credential
from apps.core.models import Job
from apps.core.services import job_advance, job_create, job_start, job_succeed
from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook
from apps.webhooks.selectors import WEBHOOK_DELETE_JOB_KIND, webhook_delete_job
from apps.webhooks.services.endpoints import webhook_disable

DELETE_JOB_KIND = WEBHOOK_DELETE_JOB_KIND
DELETE_BATCH = 1000
DELETING_REASON = "Being deleted."


@transaction.atomic
def webhook_delete_start(
    *, webhook: Webhook, credential: Credential | None = None
) -> tuple[Job, bool]:
    """Switch the endpoint off and queue the job that deletes it with its log; returns
    ``(job, created)``, the running job (``created`` False) when deletion already started."""
    webhook = Webhook.objects.select_for_update().select_related("school").get(pk=webhook.pk)
    running = webhook_delete_job(webhook=webhook)
    if running is not None:
        return running, False
    webhook_disable(webhook=webhook, reason=DELETING_REASON)
    job = job_create(
        school=webhook.school,
        kind=DELETE_JOB_KIND,
        scope="read:webhooks",
        credential=credential,
        params={"webhook_id": webhook.id},
    )
    from apps.webhooks.tasks import webhook_delete_task

    transaction.on_commit(lambda: webhook_delete_task.delay(job.id))
    return job, True


def webhook_delete_run(*, job: Job, batch: int = DELETE_BATCH) -> Job:
    """The deletion job's work: the log in batches of ``batch`` deliveries, then the
    endpoint; an endpoint already gone counts as deleted."""
    webhook = Webhook.objects.filter(id=job.params["webhook_id"], school_id=job.school_id).first()
    log = Delivery.objects.filter(webhook_id=job.params["webhook_id"])
    job_start(job=job, total=log.count())
    deleted = 0
    while True:
        ids = list(log.order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            DeliveryAttempt.objects.filter(delivery_id__in=ids).delete()
            Delivery.objects.filter(id__in=ids).delete()
        deleted += len(ids)
        job_advance(job=job, done=len(ids))
    if webhook is not None:
        with transaction.atomic():
            # A delivery written while the last batch ran goes with the endpoint.
            webhook.delete()
    return job_succeed(job=job, result={"webhook_id": job.params["webhook_id"], "deleted": deleted})
