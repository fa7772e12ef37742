"""``import_users --school SLUG --domain NAME FILE.csv``: bulk-add people to a domain."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core import services as jobs
from apps.schools.models import Domain, School
from apps.schools.user_import import BATCH_SIZE, ImportFileError, import_users


class Command(BaseCommand):
    help = (
        "Import people from a UTF-8 CSV (columns email, first_name, last_name, groups as "
        "'A;B', and signup fields by label) into a domain. Idempotent on e-mail; bad rows "
        "are reported by line and skipped whole, the rest are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--school", required=True, help="The school's slug.")
        parser.add_argument("--domain", required=True, help="The domain's name.")
        parser.add_argument(
            "--create-groups", action="store_true", help="Create groups the file names."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"No school with the slug {options['school']!r}.")
        domain = Domain.objects.filter(school=school, name=options["domain"]).first()
        if domain is None:
            raise CommandError(f"School {school.slug} has no domain {options['domain']!r}.")
        job = jobs.job_create(
            school=school,
            kind="schools.import_users",
            scope="read:users",
            params={"file": options["file"]},
        )
        jobs.job_start(job=job)
        started = time.monotonic()
        show = not options["quiet_progress"]

        def progress(done: int, total: int) -> None:
            job.progress_total = total
            jobs.job_advance(job=job, done=done - job.progress_done)
            job.progress_done = done
            if show:
                self._bar(done, total, time.monotonic() - started)

        try:
            summary = import_users(
                school=school,
                domain=domain,
                path=options["file"],
                create_groups=options["create_groups"],
                batch_size=max(1, options["batch_size"]),
                progress=progress,
            )
        except ImportFileError as exc:
            jobs.job_fail(job=job, error=str(exc))
            raise CommandError(str(exc)) from None
        if show:
            self.stderr.write("")
        jobs.job_succeed(job=job, result=summary.as_dict())
        elapsed = time.monotonic() - started
        for line, reason in summary.skipped:
            self.stderr.write(f"line {line}: skipped: {reason}")
        if summary.ignored_columns:
            self.stderr.write(f"ignored columns: {', '.join(summary.ignored_columns)}")
        self.stdout.write(
            f"{summary.total} rows in {elapsed:.1f} s: {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{len(summary.skipped)} skipped (job {job.id})"
        )

    def _bar(self, done: int, total: int, seconds: float) -> None:
        width = 30
        share = done / total if total else 1.0
        filled = int(width * share)
        rate = done / seconds if seconds else 0.0
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows "
            f"{share:4.0%} {rate:,.0f} rows/s",
            ending="",
        )
        self.stderr.flush()
