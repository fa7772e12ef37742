"""Bulk generation of promo codes: a Job, run by a Celery task, that inserts ``count``
random codes into a pool and leaves a CSV of them behind a signed link.

Codes are drawn with ``secrets`` from an alphabet without look-alikes (no 0/O, 1/I/L) and
inserted in batches that skip a code the school already has (PostgreSQL: one
``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`` per batch; elsewhere
``bulk_create(ignore_conflicts=True)``); a collision only means drawing again, never a
duplicate or a failed job. Every code is tagged with its job, and the job counts what it
already inserted before drawing more, so a worker killed halfway and redelivered
(``acks_late``) ends with exactly ``count`` codes. The request is refused when the codes'
space is not at least ten times ``count`` (400), so drawing again always ends quickly.
"""

import csv
import hashlib
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.services.content import catalog_storage
from apps.catalog.signed_files import download_url
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import PromoCode, PromoCodePool
from apps.core.credentials import Credential
from apps.core.errors import InvalidInput
from apps.core.events import emit
from apps.core.ids import new_id
from apps.core.models import Job
from apps.core.services import job_create, job_start, job_succeed

JOB_KIND = "commerce.promo_codes_bulk"
DOWNLOAD_KIND = "commerce.promo_codes_csv"
# No 0/O, no 1/I/L: a code read aloud or copied by hand is not mistaken for another.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_COUNT = 1_000_000
DEFAULT_LENGTH = 10
MIN_LENGTH, MAX_LENGTH = 4, 32
PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$"
# Rounds in a row that add nothing before the job gives up: only codes of the school
# filling the space drawn from (the 10x check makes that a foreign prefix's doing).
STALLED_ROUNDS = 20

# byte -> alphabet character for the 248 bytes that map evenly (248 = 8 x 31); the other 8
# are dropped, so every character is equally likely.
_EVEN = len(ALPHABET) * (256 // len(ALPHABET))
_TABLE = bytes(ord(ALPHABET[b % len(ALPHABET)]) if b < _EVEN else 0 for b in range(256))
_UNEVEN = bytes(range(_EVEN, 256))


def random_codes(count: int, *, length: int, prefix: str = "") -> list[str]:
    """``count`` codes of ``prefix`` + ``length`` characters drawn uniformly from
    ``ALPHABET`` with ``secrets`` (duplicates possible; the insert skips them)."""
    needed = count * length
    chars = b""
    while len(chars) < needed:
        # ~3% of bytes are dropped, so ask for a little more than needed.
        chars += secrets.token_bytes(needed - len(chars) + needed // 16 + 16).translate(
            _TABLE, _UNEVEN
        )
    text = chars[:needed].decode("ascii")
    return [prefix + text[i : i + length] for i in range(0, needed, length)]


def _refuse(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code=CommerceErrorCode.PROMO_BULK_INVALID, field=field)


def check_bulk_request(*, count: Any, max_uses: Any, prefix: str, length: int) -> None:
    """400 ``promo_bulk_invalid`` for a count outside 1–1,000,000, a bad prefix or length,
    or a space of codes smaller than ten times ``count``."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise _refuse(f"count: from 1 to {MAX_COUNT}.", "count")
    if isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1:
        raise _refuse("max_uses: 1 or more.", "max_uses")
    if prefix and not re.match(PREFIX_PATTERN, prefix):
        raise _refuse("prefix: up to 60 letters, digits, '-', '_' or '.'.", "prefix")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise _refuse(f"length: from {MIN_LENGTH} to {MAX_LENGTH}.", "length")
    if len(ALPHABET) ** length < 10 * count:
        raise _refuse(
            f"length: {length} characters give too few codes for {count}; use a longer one.",
            "length",
        )


def promo_codes_bulk_create(
    *,
    pool: PromoCodePool,
    count: int,
    max_uses: int,
    prefix: str = "",
    length: int = DEFAULT_LENGTH,
    credential: Credential | None = None,
) -> Job:
    """Record the generation as a Job and queue its task once the caller commits."""
    with transaction.atomic():
        job = bulk_job_create(
            pool=pool,
            count=count,
            max_uses=max_uses,
            prefix=prefix,
            length=length,
            credential=credential,
        )
        transaction.on_commit(lambda: _queue(job.id))
    return job


def bulk_job_create(
    *,
    pool: PromoCodePool,
    count: int,
    max_uses: int,
    prefix: str = "",
    length: int = DEFAULT_LENGTH,
    credential: Credential | None = None,
) -> Job:
    """The Job of a generation, not queued (the command runs it in its own process)."""
    check_bulk_request(count=count, max_uses=max_uses, prefix=prefix, length=length)
    return job_create(
        school=pool.school,
        kind=JOB_KIND,
        scope="read:commerce",
        credential=credential,
        params={
            "promo_code_pool_id": pool.pk,
            "count": count,
            "max_uses": max_uses,
            "prefix": prefix,
            "length": length,
        },
        total=count,
    )


def _queue(job_id: str) -> None:
    from apps.commerce.tasks import promo_codes_bulk_task

    promo_codes_bulk_task.delay(job_id)


def _insert_postgresql(
    job: Job, pool_id: str, max_uses: int, codes: list[str]
) -> list[tuple[str, str]]:
    table = connection.ops.quote_name(PromoCode._meta.db_table)
    now = timezone.now()
    ids = [new_id("pco") for _ in codes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, school_id, pool_id, code, max_uses, uses, active, "
            "job_id, created_at, updated_at) "
            "SELECT t.id, %s, %s, t.code, %s, 0, true, %s, %s, %s "
            "FROM unnest(%s::varchar[], %s::varchar[]) AS t(id, code) "
            "ON CONFLICT (school_id, code) DO NOTHING RETURNING id, code",
            [job.school_id, pool_id, max_uses, job.id, now, now, ids, codes],
        )
        return cursor.fetchall()


def _insert_portable(
    job: Job, pool_id: str, max_uses: int, codes: list[str]
) -> list[tuple[str, str]]:
    before = set(PromoCode.objects.filter(job=job, code__in=codes).values_list("id", flat=True))
    PromoCode.objects.bulk_create(
        [
            PromoCode(
                school_id=job.school_id, pool_id=pool_id, code=code, max_uses=max_uses, job=job
            )
            for code in codes
        ],
        ignore_conflicts=True,
    )
    rows = PromoCode.objects.filter(job=job, code__in=codes).values_list("id", "code")
    return [row for row in rows if row[0] not in before]


@contextmanager
def _job_lease(job: Job) -> Iterator[bool]:
    """Whether this process may run ``job`` now: on PostgreSQL a session advisory lock on
    the job, which the server drops when the connection does (a killed worker's included),
    so a re-queued job never runs twice at once; elsewhere always (one process)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = int.from_bytes(
        hashlib.blake2b(job.pk.encode(), digest_size=8).digest(), "big", signed=True
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def promo_codes_bulk_resume(*, stalled_seconds: float | None = None) -> list[str]:
    """Queue again the generations that made no progress for ``stalled_seconds`` (a worker
    that died with the task; beat runs this). A job still running elsewhere holds its lease,
    so the copy finds it busy and does nothing. Returns the job ids queued."""
    seconds = (
        settings.PROMO_CODES_BULK_STALL_SECONDS if stalled_seconds is None else stalled_seconds
    )
    cutoff = timezone.now() - timedelta(seconds=seconds)
    ids = list(
        Job.objects.filter(
            kind=JOB_KIND,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
            updated_at__lte=cutoff,
        ).values_list("pk", flat=True)[:100]
    )
    for job_id in ids:
        _queue(job_id)
    return ids


def promo_codes_bulk_run(
    *, job: Job, on_batch: Callable[[int, int], None] | None = None, batch: int | None = None
) -> Job:
    """Insert the job's codes until the pool has ``count`` of them from this job, then write
    the CSV and emit ``promo_codes.generated``. Safe to run again: it starts from the codes
    the job already inserted. ``on_batch(done, total)`` reports progress (the command's bar).
    """
    params = job.params
    pool = PromoCodePool.objects.filter(pk=params["promo_code_pool_id"], school_id=job.school_id)
    pool = pool.select_related("school").first()
    if pool is None:  # deleted before the job ran: nothing to add codes to
        return job_succeed(job=job, result={"promo_code_pool_id": None, "generated": 0})
    with _job_lease(job) as held:
        if not held:  # another worker is running it now
            return job
        job.refresh_from_db()
        if job.is_finished:
            return job
        return _run(job, pool, on_batch, batch)


def _run(
    job: Job, pool: PromoCodePool, on_batch: Callable[[int, int], None] | None, batch: int | None
) -> Job:
    params = job.params
    total = params["count"]
    job_start(job=job, total=total)
    # Rows per INSERT: large enough that statements cost little per row, small enough that
    # a batch's codes and ids stay a few hundred kilobytes.
    batch = batch or settings.PROMO_CODES_BULK_BATCH
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_portable
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as handle:
        # The CSV is written as the codes go in (the insert returns them), so the codes are
        # not read back; a rerun first copies what an earlier run inserted.
        writer = csv.writer(handle)
        writer.writerow(["id", "code", "max_uses", "promo_code_pool_id"])
        max_uses = params["max_uses"]
        earlier = (
            PromoCode.objects.filter(job=job)
            .order_by("id")
            .values_list("id", "code")
            .iterator(chunk_size=batch)
        )
        done = 0
        for code_id, code in earlier:
            writer.writerow([code_id, code, max_uses, pool.pk])
            done += 1
        stalled = 0
        while done < total:
            codes = random_codes(
                min(batch, total - done), length=params["length"], prefix=params["prefix"]
            )
            with transaction.atomic():
                added = insert(job, pool.pk, max_uses, codes)
                Job.objects.filter(pk=job.pk).update(
                    progress_done=done + len(added), updated_at=timezone.now()
                )
            writer.writerows([code_id, code, max_uses, pool.pk] for code_id, code in added)
            done += len(added)
            stalled = 0 if added else stalled + 1
            if stalled >= STALLED_ROUNDS:
                raise RuntimeError("No new codes could be drawn: the space of codes is full.")
            if on_batch is not None:
                on_batch(done, total)
        handle.seek(0)
        name = catalog_storage().save(f"promo-codes/{job.pk}.csv", File(handle))
    result = {
        "promo_code_pool_id": pool.pk,
        "generated": done,
        "csv_file": name,
        "download_url": download_url(kind=DOWNLOAD_KIND, row_id=job.pk, name=name),
    }
    with transaction.atomic():
        job = job_succeed(job=job, result=result)
        emit(
            pool.school,
            "promo_codes.generated",
            {
                "job_id": job.pk,
                "promo_code_pool_id": pool.pk,
                "count": done,
                "max_uses": params["max_uses"],
                "prefix": params["prefix"],
            },
        )
    return job


def promo_codes_csv_current(row_id: str, name: str) -> bool:
    """Whether ``name`` is still the CSV of bulk job ``row_id`` (the signed link's check)."""
    return Job.objects.filter(pk=row_id, kind=JOB_KIND, result__csv_file=name).exists()
