"""``generate_promo_codes --pool ID --count N``: add random promo codes to a pool, here."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.commerce.models import PromoCodePool
from apps.commerce.services import promo_code_bulk
from apps.core.errors import ApiError


class Command(BaseCommand):
    help = (
        "Generate COUNT random promo codes in a pool in this process (a Job records it, as "
        "the API's promo-codes-bulk does), with a progress bar; prints the job and the CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool", required=True, help="The pool's id (pcp_…).")
        parser.add_argument("--count", required=True, type=int, help="How many codes.")
        parser.add_argument("--max-uses", type=int, default=1, help="Uses per code (1).")
        parser.add_argument("--prefix", default="", help="Put before every code.")
        parser.add_argument("--length", type=int, default=promo_code_bulk.DEFAULT_LENGTH)
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        pool = PromoCodePool.objects.select_related("school").filter(pk=options["pool"]).first()
        if pool is None:
            raise CommandError(f"No promo code pool {options['pool']!r}.")
        try:
            promo_code_bulk.check_bulk_request(
                count=options["count"],
                max_uses=options["max_uses"],
                prefix=options["prefix"],
                length=options["length"],
            )
        except ApiError as exc:
            raise CommandError(str(exc.detail)) from None
        job = promo_code_bulk.bulk_job_create(
            pool=pool,
            count=options["count"],
            max_uses=options["max_uses"],
            prefix=options["prefix"],
            length=options["length"],
        )
        bar = tqdm(
            total=options["count"],
            unit="code",
            file=self.stderr,
            disable=options["quiet_progress"],
        )

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        job = promo_code_bulk.promo_codes_bulk_run(job=job, on_batch=progress)
        bar.close()
        self.stdout.write(
            f"{job.result['generated']} codes in pool {pool.pk} (job {job.pk}); "
            f"CSV: {job.result['csv_file']}"
        )
