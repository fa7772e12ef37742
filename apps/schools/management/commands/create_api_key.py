from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApiError
from apps.schools.models import School
from apps.schools.services.schools import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a school and print it (alone, on the last line)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's slug.")
        parser.add_argument(
            "--scopes", default="*", help='Space-separated scopes, e.g. "read:users write:users".'
        )
        parser.add_argument("--name", default="Command-line key")
        parser.add_argument("--test", action="store_true", help="Make an sk_test_ key.")

    def handle(self, *args, school: str, scopes: str, name: str, test: bool, **options) -> None:
        found = School.objects.filter(slug=school).first()
        if found is None:
            raise CommandError(f"No school with slug {school!r}.")
        try:
            key, secret = api_key_create(school=found, name=name, scopes=scopes.split(), test=test)
        except ApiError as exc:
            raise CommandError(str(exc.detail)) from None
        self.stderr.write(f"Created {key.id} for {found.slug} with scopes: {' '.join(key.scopes)}")
        self.stdout.write(secret)
