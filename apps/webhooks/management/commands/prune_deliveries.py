import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from apps.webhooks.services.deliveries import deliveries_prune

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(value: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``3600s`` or ``2w`` as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", value or "")
    if not match:
        raise CommandError(f"--older-than: {value!r} is not like 30d, 12h, 90m or 3600s.")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = "Delete finished webhook deliveries (and their attempts) older than a given age."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than", default="30d", help="Age such as 30d (default), 12h, 90m."
        )

    def handle(self, *args, older_than: str, **options) -> None:
        deleted = deliveries_prune(older_than=parse_age(older_than))
        self.stdout.write(f"Deleted {deleted} deliveries older than {older_than}.")
