"""A bulk generation survives its worker being killed: a real ``celery -A config worker``
subprocess is SIGKILLed halfway, another is started, and the pool ends with exactly
``count`` codes (PostgreSQL and Redis; skipped without them)."""

import signal
import time

import pytest

from apps.commerce.models import PromoCode
from apps.commerce.services.promo_code_bulk import (
    promo_codes_bulk_create,
    promo_codes_bulk_resume,
)
from apps.core.models import Job
from tests.factories import PromoCodePoolFactory
from tests.webhooks.test_reliability import queue, stop, wait_for, worker  # noqa: F401

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

COUNT = 60_000
BATCH = 500


def _job(job_id: str) -> Job:
    return Job.objects.get(pk=job_id)


def test_a_worker_killed_halfway_and_restarted_ends_with_exactly_count(
    school,
    queue,  # noqa: F811
    tmp_path,
    monkeypatch,
    settings,
):
    # given: small batches, so the job is killed between two of them
    monkeypatch.setenv("PROMO_CODES_BULK_BATCH", str(BATCH))
    settings.PROMO_CODES_BULK_BATCH = BATCH
    pool = PromoCodePoolFactory(school=school)

    with worker(queue, tmp_path, concurrency=1, name="first") as first:
        job = promo_codes_bulk_create(pool=pool, count=COUNT, max_uses=1)
        wait_for(lambda: _job(job.pk).progress_done >= 10 * BATCH, 120, "the job to start")

        # when: the whole worker dies mid-job
        stop(first, signal.SIGKILL)
    halfway = PromoCode.objects.filter(job_id=job.pk).count()
    assert 0 < halfway < COUNT
    assert _job(job.pk).status == "running"

    with worker(queue, tmp_path, concurrency=1, name="second"):
        # the test plays beat: the stalled job is queued again until it finishes
        def finished() -> bool:
            return _job(job.pk).is_finished

        deadline = time.monotonic() + 180
        while not finished() and time.monotonic() < deadline:
            promo_codes_bulk_resume(stalled_seconds=0)
            wait_for(lambda: True, 1, "a tick")
            time.sleep(2)

    # then: exactly COUNT codes, all distinct, and the job says so
    job = _job(job.pk)
    assert job.status == "succeeded", job.error
    codes = PromoCode.objects.filter(pool=pool)
    assert codes.count() == COUNT
    assert codes.values("code").distinct().count() == COUNT
    assert job.result["generated"] == COUNT
    assert job.progress_done == COUNT
