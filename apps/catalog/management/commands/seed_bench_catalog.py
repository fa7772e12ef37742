"""Load the benchmark's course: 50 sections of 20 lessons in the demo school, under the id
the scenario's path names (``make bench``'s contents scenario passes it). Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.catalog.models import Course, Lesson, LessonType
from apps.schools.models import School

SECTIONS = 50
LESSONS_PER_SECTION = 20


class Command(BaseCommand):
    help = "Create the benchmark course (50 sections × 20 lessons) in the demo school."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", required=True, help="The course's id (crs_...).")
        parser.add_argument("--school", default="demo", help="The school's slug.")

    @transaction.atomic
    def handle(self, *args, id: str, school: str, **options) -> None:
        owner = School.objects.get(slug=school)
        if Course.objects.filter(pk=id).exists():
            return
        course = Course.objects.create(
            id=id,
            school=owner,
            title="Benchmark course",
            slug="benchmark-course",
            short_description="50 sections of 20 lessons.",
        )
        rows, order = [], 0
        for section in range(SECTIONS):
            order += 1
            rows.append(
                Lesson(
                    school=owner,
                    course=course,
                    type=LessonType.SECTION,
                    order=order,
                    title=f"Week {section + 1}",
                    drip_days_after_enrollment=7 * section or None,
                )
            )
            for lesson in range(LESSONS_PER_SECTION):
                order += 1
                rows.append(
                    Lesson(
                        school=owner,
                        course=course,
                        type=LessonType.HTML,
                        order=order,
                        title=f"Lesson {section + 1}.{lesson + 1}",
                        content_html="<p>Read this.</p>",
                        time_seconds=600,
                    )
                )
        Lesson.objects.bulk_create(rows, batch_size=500)
