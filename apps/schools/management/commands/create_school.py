from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from apps.schools.services.schools import school_create


class Command(BaseCommand):
    help = "Create a school (idempotent: an existing slug is kept and renamed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)

    def handle(self, *args, name: str, slug: str, **options) -> None:
        if slugify(slug) != slug:
            raise CommandError(f"--slug {slug!r} must be lower-case letters, digits and dashes.")
        school, created = school_create(name=name, slug=slug)
        verb = "Created" if created else "Exists:"
        self.stdout.write(f"{verb} school {school.slug} ({school.id})")
