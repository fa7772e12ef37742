"""Load the ``users/{id}/published-courses`` benchmark's learner in the demo school: one
person enrolled in ``--courses`` courses published on the demo domain (20 lessons each, two
of them section headings, the second section optional in every fourth course), with their
course progress, a lesson progress and a progress token per lesson, and a renewal in every
tenth course. Progress varies by course (not started, part way with a current lesson,
complete) so every figure of the summary is worked out. Idempotent: nothing is loaded when
the learner exists."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course, Lesson, LessonType, PublishedCourse
from apps.core.ids import new_id
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    EnrollmentSource,
    LessonProgress,
    ProgressToken,
)
from apps.schools.models import Domain, Member, School, User

LESSONS = 20
# The second section heading's position: lessons 2–10 sit in the first section, 12–20 in the
# second (headings carry no progress).
SECOND_SECTION = 11


class Command(BaseCommand):
    help = "Create a learner enrolled in many published courses, with their progress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user-id", required=True, help="The learner's id (usr_...).")
        parser.add_argument("--courses", type=int, default=100)
        parser.add_argument("--school", default="demo", help="The school's slug.")

    @transaction.atomic
    def handle(self, *args, user_id: str, courses: int, school: str, **options) -> None:
        owner = School.objects.get(slug=school)
        if User.objects.filter(pk=user_id).exists():
            return
        domain = Domain.objects.filter(school=owner).order_by("created_at").first()
        if domain is None:
            raise CommandError(f"The school {school!r} has no domain to publish on.")
        learner = User.objects.create(
            id=user_id, school=owner, email="bench-courses@demo.lyceum.local"
        )
        Member.objects.create(school=owner, user=learner)
        now = timezone.now()
        enrollments, course_progress, lesson_progress, tokens = [], [], [], []
        for n in range(courses):
            course, lessons = _course(owner, n)
            published = PublishedCourse.objects.create(
                school=owner, domain=domain, course=course, slug=course.slug
            )
            enrolled_at = now - timedelta(days=300 - n)
            for renewal in range(2 if n % 10 == 0 else 1):
                enrollments.append(
                    Enrollment(
                        id=new_id("enr"),
                        school=owner,
                        user=learner,
                        course=course,
                        published_course=published,
                        enrolled_at=enrolled_at + timedelta(days=renewal),
                        expires_at=now + timedelta(days=30) if n % 7 == 0 else None,
                        source=EnrollmentSource.IMPORT,
                        completion_redirect=f"https://example.com/done/{n}" if n % 5 == 0 else "",
                    )
                )
            # Lessons done, in order: none, some, or every one of them.
            reached = (n * 7) % (len(lessons) + 1)
            for position, lesson in enumerate(lessons):
                done = position < reached
                progress = LessonProgress(
                    id=new_id("lpg"),
                    school=owner,
                    user=learner,
                    course=course,
                    lesson=lesson,
                    started_at=enrolled_at if done else None,
                    finished_at=now if done else None,
                    completed_at=now if done else None,
                    success_status="PASSED" if done else None,
                    score=8 if done and position % 5 == 4 else None,
                    max_score=10 if done and position % 5 == 4 else None,
                    time_spent_seconds=120 + position if done else 0,
                    last_accessed_at=now if done else None,
                )
                lesson_progress.append(progress)
                tokens.append(ProgressToken(school=owner, lesson_progress=progress))
            complete = reached == len(lessons)
            course_progress.append(
                CourseProgress(
                    school=owner,
                    user=learner,
                    course=course,
                    started_at=enrolled_at if reached else None,
                    completed_at=now if complete else None,
                    success_status="PASSED" if complete else None,
                    last_accessed_at=now if reached else None,
                    current_lesson=lessons[reached - 1] if reached else None,
                )
            )
        Enrollment.objects.bulk_create(enrollments, batch_size=500)
        CourseProgress.objects.bulk_create(course_progress, batch_size=500)
        LessonProgress.objects.bulk_create(lesson_progress, batch_size=500)
        ProgressToken.objects.bulk_create(tokens, batch_size=500)


def _course(school: School, n: int) -> tuple[Course, list[Lesson]]:
    """The ``n``-th course: two section headings and their lessons; returns the lessons that
    carry progress, in order."""
    course = Course.objects.create(
        school=school,
        title=f"Benchmark learner course {n + 1:03d}",
        slug=f"benchmark-learner-{n + 1:03d}",
        short_description="Bulk-loaded for the learner's courses benchmark.",
    )
    rows = [
        Lesson(
            school=school,
            course=course,
            type=LessonType.SECTION if order in (1, SECOND_SECTION) else LessonType.HTML,
            order=order,
            title=f"Lesson {order}",
            optional=(order == SECOND_SECTION and n % 4 == 3) or (order == 5 and n % 3 == 0),
            time_seconds=300,
        )
        for order in range(1, LESSONS + 1)
    ]
    Lesson.objects.bulk_create(rows)
    return course, [row for row in rows if row.type != LessonType.SECTION]
