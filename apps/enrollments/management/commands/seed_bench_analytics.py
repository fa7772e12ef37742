"""Load the analytics benchmark's course in the demo school: 20 lessons under the id the
scenario names, and up to ``--enrollments`` learners in it with their progress (50,000
make a million lesson progress rows). Idempotent."""

from django.core.management.base import BaseCommand

from apps.catalog.models import Course
from apps.enrollments.demo import load_enrollments, scale_course
from apps.schools.models import School


class Command(BaseCommand):
    help = "Create the analytics benchmark's course with its enrollments and progress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", required=True, help="The course's id (crs_...).")
        parser.add_argument("--enrollments", type=int, default=50_000)
        parser.add_argument("--school", default="demo", help="The school's slug.")

    def handle(self, *args, id: str, enrollments: int, school: str, **options) -> None:
        owner = School.objects.get(slug=school)
        course = Course.objects.filter(pk=id).first() or scale_course(
            owner, title="Benchmark analytics course", slug="benchmark-analytics", id=id
        )
        load_enrollments(owner, [course], enrollments, out=self.stderr)
