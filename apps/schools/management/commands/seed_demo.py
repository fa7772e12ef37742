"""Set up the demo school: idempotent, prints the logins and an API key.

``--users N`` also bulk-loads N learners (for benchmarks), in batches (COPY on PostgreSQL);
``--courses M --enrollments K`` then loads M courses and K enrollments with their progress
through the apps that own them (``apps.core.demo.register_demo_scale``).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.core.bulk import copy_rows
from apps.core.demo import demo_scale_seeders, demo_seeders
from apps.schools.models import ApiKey, Domain, Member, User
from apps.schools.services.people import user_create
from apps.schools.services.schools import api_key_create, school_create

DEMO_SLUG = "demo"
OPERATOR_EMAIL = "admin@lyceum.local"
OPERATOR_PASSWORD = "lyceum-admin"
STAFF_EMAIL = "staff@demo.lyceum.local"
STAFF_PASSWORD = "lyceum-staff"
LEARNER_EMAIL = "learner@demo.lyceum.local"
LEARNER_PASSWORD = "lyceum-learner"
KEY_FILE = Path(settings.BASE_DIR) / ".demo-credentials"
BATCH = 2000
COPY_BATCH = 50_000


class Command(BaseCommand):
    help = "Create (idempotently) the demo school, its logins and an API key, and print them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=0, help="Bulk-load this many learners.")
        parser.add_argument(
            "--courses", type=int, default=0, help="Bulk-load this many courses (with lessons)."
        )
        parser.add_argument(
            "--enrollments",
            type=int,
            default=0,
            help="Bulk-load this many enrollments in them, with lesson progress.",
        )

    def handle(self, *args, users: int, courses: int, enrollments: int, **options) -> None:
        school, _ = school_create(name="Demo School", slug=DEMO_SLUG)
        Domain.objects.get_or_create(
            name="demo.lyceum.local",
            defaults={"school": school, "catalog_title": "Demo catalog"},
        )
        operator = User.objects.filter(school__isnull=True, email_key=OPERATOR_EMAIL).first()
        if operator is None:
            User.objects.create_superuser(OPERATOR_EMAIL, OPERATOR_PASSWORD)
        staff, _ = user_create(
            school=school,
            email=STAFF_EMAIL,
            first_name="Sam",
            last_name="Staff",
            password=STAFF_PASSWORD,
            role=Member.Role.ADMIN,
        )
        if not staff.user.is_staff:
            User.objects.filter(pk=staff.user_id).update(is_staff=True)
        user_create(
            school=school,
            email=LEARNER_EMAIL,
            first_name="Lee",
            last_name="Learner",
            password=LEARNER_PASSWORD,
        )
        if users:
            self._bulk_learners(school, users)
        for seeder in demo_seeders():
            seeder(school)
        if courses or enrollments:
            for scale_seeder in demo_scale_seeders():
                scale_seeder(school, courses=courses, enrollments=enrollments, out=self.stderr)
        secret = self._demo_key(school)

        self.stdout.write(
            "\nLyceum demo is ready.\n"
            "  API:      http://127.0.0.1:8000/api/v1/   docs: http://127.0.0.1:8000/api/docs/\n"
            "  Admin:    http://127.0.0.1:8000/admin/\n"
            f"    operator (all schools): {OPERATOR_EMAIL} / {OPERATOR_PASSWORD}\n"
            f"    demo school staff:      {STAFF_EMAIL} / {STAFF_PASSWORD}\n"
            f"  Learner (for POST /api/v1/auth/token): {LEARNER_EMAIL} / {LEARNER_PASSWORD}\n"
            "  API key of school 'demo' (every scope):\n"
            f"{secret}\n"
        )

    def _demo_key(self, school) -> str:
        """Reuse the key saved by an earlier run while it still works, else make one."""
        if KEY_FILE.exists():
            saved = KEY_FILE.read_text().strip()
            key = ApiKey.objects.filter(key_hash=ApiKey.hash_secret(saved), school=school).first()
            if key is not None and key.is_active:
                return saved
        _key, secret = api_key_create(school=school, name="Demo key", scopes=["*"])
        KEY_FILE.write_text(secret + "\n")
        KEY_FILE.chmod(0o600)
        return secret

    def _bulk_learners(self, school, count: int) -> None:
        existing = Member.objects.filter(school=school, user__email__startswith="learner-").count()
        password = make_password(None)
        # COPY on PostgreSQL: a million learners load in about a minute instead of many.
        batch = COPY_BATCH if connection.vendor == "postgresql" else BATCH
        for start in range(existing, count, batch):
            stop = min(count, start + batch)
            users = [
                User(
                    school=school,
                    email=f"learner-{n:07d}@demo.lyceum.local",
                    email_key=f"learner-{n:07d}@demo.lyceum.local",
                    first_name=f"Learner{n}",
                    last_name="Demo",
                    password=password,
                )
                for n in range(start, stop)
            ]
            members = [
                Member(school=school, user=user, company="Demo Corp", country="US")
                for user in users
            ]
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    copy_rows(User, users)
                    copy_rows(Member, members)
                else:
                    User.objects.bulk_create(users)
                    Member.objects.bulk_create(members)
            self.stderr.write(f"  learners: {stop}/{count}")
