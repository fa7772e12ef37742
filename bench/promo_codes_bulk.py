"""Bulk promo code generation: how fast a job inserts N codes, and its process's peak memory.

Each measurement runs in a fresh Python process on the harness's PostgreSQL (``DATABASE_URL``,
migrated): the job (``promo_codes_bulk_run``: drawing with ``secrets``, batched
``INSERT … ON CONFLICT DO NOTHING``, progress, the CSV) against the floor, a raw multi-row
insert of the same number of rows (ids and codes made before the clock starts, the same
batch size, no conflict handling, no CSV). Targets: 100,000 codes under 10 s with a peak RSS
under 200 MB, and the job at ≥ 0.5× the floor's rows per second; 1,000,000 completes (time
and peak memory recorded). Rows are deleted afterwards.

``python -m bench.promo_codes_bulk [--count 100000] [--json]``; ``make bench`` runs it through
``bench/scenarios.py`` (``--only promo``).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
import django
django.setup()
from django.db import connection, transaction
from django.conf import settings
from apps.commerce.models import PromoCode
from apps.commerce.services.promo_code_bulk import (
    bulk_job_create, promo_codes_bulk_run, random_codes)
from apps.commerce.services.promo_codes import promo_code_pool_create
from apps.core.ids import new_id
from apps.core.models import Job
from apps.schools.models import School
from apps.schools.services.schools import school_create
from django.utils import timezone

mode, count = sys.argv[1], int(sys.argv[2])
slug = f"bench-promo-{new_id('x')[-8:]}"
school, _ = school_create(name="Bench promo", slug=slug)
pool = promo_code_pool_create(
    school=school, name="bench", discount_type="PERCENT_OFF", percent_off=10,
    starts_at=timezone.now())
batch = settings.PROMO_CODES_BULK_BATCH
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if mode == "job":
    job = bulk_job_create(pool=pool, count=count, max_uses=1)
    started = time.perf_counter()
    job = promo_codes_bulk_run(job=job)
    seconds = time.perf_counter() - started
    made = PromoCode.objects.filter(job=job).count()
    assert job.status == "succeeded" and made == count, (job.status, job.error, made)
else:
    rows = [(new_id("pco"), code) for code in random_codes(count, length=10)]
    table = connection.ops.quote_name(PromoCode._meta.db_table)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, count, batch):
            chunk = rows[start:start + batch]
            now = timezone.now()
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {table} (id, school_id, pool_id, code, max_uses, uses, "
                    "active, job_id, created_at, updated_at) "
                    "SELECT t.id, %s, %s, t.code, 1, 0, true, NULL, %s, %s "
                    "FROM unnest(%s::varchar[], %s::varchar[]) AS t(id, code)",
                    [school.pk, pool.pk, now, now, [r[0] for r in chunk], [r[1] for r in chunk]])
    seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
PromoCode.objects.filter(pool=pool).delete()
Job.objects.filter(school=school).delete()
School.objects.filter(pk=school.pk).delete()
print(json.dumps({"mode": mode, "count": count, "seconds": seconds,
                  "before_kb": before, "peak_kb": peak}))
"""


def measure(mode: str, count: int, env: dict[str, str] | None = None) -> dict:
    """Run ``mode`` (``job`` or ``floor``) for ``count`` codes in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(count)],
        cwd=ROOT,
        env={**(env or os.environ), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def figures(count: int, env: dict[str, str] | None = None) -> dict:
    """The job and its floor for ``count`` codes, as one dict."""
    floor = measure("floor", count, env)
    job = measure("job", count, env)
    return {
        "count": count,
        "job_seconds": round(job["seconds"], 2),
        "job_per_second": round(count / job["seconds"]),
        "job_peak_rss_mb": round(job["peak_kb"] / 1024, 1),
        "floor_seconds": round(floor["seconds"], 2),
        "floor_per_second": round(count / floor["seconds"]),
        "ratio": round(floor["seconds"] / job["seconds"], 2),
    }


def runner(count: int, smoke_count: int = 2000):
    """A ``bench/scenarios.py`` runner: codes per second as req/s, the job's seconds as
    p50/p99 (ms), the floor as the baseline; measured once per run."""
    measured: dict = {}

    def run_in(ctx) -> object:
        from bench.run import Measurement

        if ctx.profile in measured:
            return measured[ctx.profile]
        n = smoke_count if getattr(ctx.profile, "smoke", False) else count
        try:
            found = figures(n, ctx.env)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            return Measurement(rps=0, p50_ms=0, p99_ms=0, errors=[str(error)[-500:]])
        sys.stderr.write(f"bench: promo codes {json.dumps(found)}\n")
        ms = found["job_seconds"] * 1000
        result = Measurement(rps=found["job_per_second"], p50_ms=ms, p99_ms=ms)
        floor_ms = found["floor_seconds"] * 1000
        result.baseline = Measurement(
            rps=found["floor_per_second"], p50_ms=floor_ms, p99_ms=floor_ms
        )
        measured[ctx.profile] = result
        return result

    return run_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="one JSON line, not a table")
    args = parser.parse_args()
    found = figures(args.count)
    if args.json:
        sys.stdout.write(json.dumps(found) + "\n")
        return
    sys.stdout.write(
        "| codes | job | job peak RSS | floor (raw multi-row insert) | job vs floor |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n"
        f"| {found['count']:,} | {found['job_seconds']} s ({found['job_per_second']:,}/s) "
        f"| {found['job_peak_rss_mb']} MB | {found['floor_seconds']} s "
        f"({found['floor_per_second']:,}/s) | {found['ratio']}× |\n"
    )


if __name__ == "__main__":
    main()
