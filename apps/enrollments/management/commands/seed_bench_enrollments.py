"""Load the enrollment benchmarks' data in the demo school: a course of 20 lessons
published on the demo domain under the id the scenarios name, 1,000 of the school's members
enrolled in it, and the member the POST scenario enrolls again and again. Idempotent."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course, Lesson, LessonType, PublishedCourse
from apps.enrollments.models import Enrollment
from apps.schools.models import Domain, Member, School, User

LESSONS = 20
# As many as the school has, up to this (a smoke run loads only a few hundred members).
ENROLLED = 1000


class Command(BaseCommand):
    help = "Create the enrollment benchmarks' published course, enrollments and learner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", required=True, help="The published course's id (pcr_...).")
        parser.add_argument("--user-id", required=True, help="The POST scenario's learner.")
        parser.add_argument("--school", default="demo", help="The school's slug.")

    @transaction.atomic
    def handle(self, *args, id: str, user_id: str, school: str, **options) -> None:
        owner = School.objects.get(slug=school)
        if PublishedCourse.objects.filter(pk=id).exists():
            return
        domain = Domain.objects.filter(school=owner).order_by("created_at").first()
        if domain is None:
            raise CommandError(f"The school {school!r} has no domain to publish on.")
        course = Course.objects.create(
            school=owner,
            title="Benchmark enrollments course",
            slug="benchmark-enrollments",
            short_description="Twenty lessons.",
        )
        Lesson.objects.bulk_create(
            Lesson(school=owner, course=course, type=LessonType.HTML, order=n, title=f"L{n}")
            for n in range(1, LESSONS + 1)
        )
        published = PublishedCourse.objects.create(
            id=id, school=owner, domain=domain, course=course, slug="benchmark-enrollments"
        )
        learner = User.objects.create(
            id=user_id, school=owner, email="bench-enroller@demo.lyceum.local"
        )
        Member.objects.create(school=owner, user=learner)
        users = list(
            Member.objects.filter(school=owner)
            .order_by("id")
            .values_list("user_id", flat=True)[:ENROLLED]
        )
        start = timezone.now() - timedelta(days=365)
        Enrollment.objects.bulk_create(
            (
                Enrollment(
                    school=owner,
                    user_id=user,
                    course=course,
                    published_course=published,
                    enrolled_at=start + timedelta(minutes=n),
                    purchase_state="SUCCESS" if n % 3 == 0 else None,
                    purchase_currency_code="USD" if n % 3 == 0 else "",
                    purchase_price_cents=4900 if n % 3 == 0 else None,
                )
                for n, user in enumerate(users)
            ),
            batch_size=1000,
        )
