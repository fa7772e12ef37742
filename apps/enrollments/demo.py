"""Enrollments at scale for ``seed_demo --courses M --enrollments K`` (benchmarks, load
tests): M courses of 20 lessons published on the demo domain, K enrollments of the school's
learners spread over them, each with its course progress, a lesson progress per lesson and a
progress token per lesson progress. PostgreSQL loads by COPY (a million lesson progress rows
in well under two minutes); elsewhere by batched inserts. Idempotent: a second run adds only
what is missing. Nothing is emitted: this is bulk loading."""

import random
from datetime import timedelta
from typing import IO

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.catalog.models import Course, Lesson, LessonType, PublishedCourse
from apps.core.bulk import copy_tuples
from apps.core.ids import new_id
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    EnrollmentSource,
    LessonProgress,
    ProgressToken,
)
from apps.schools.models import Domain, Member, School

LESSONS_PER_COURSE = 20
SLUG = "scale-course-"
BATCH = 2_000  # enrollments per transaction (× 20 lesson progress rows)

PROGRESS_COLUMNS = (
    "id",
    "school_id",
    "user_id",
    "course_id",
    "lesson_id",
    "started_at",
    "finished_at",
    "completed_at",
    "success_status",
    "score",
    "max_score",
    "custom_data",
    "validation_status",
    "validation_data",
    "time_spent_seconds",
    "last_accessed_at",
    "client_updated_at",
    "created_at",
    "updated_at",
)


def seed_demo_scale(school: School, *, courses: int, enrollments: int, out: IO) -> None:
    """Load up to ``courses`` scale courses and ``enrollments`` enrollments in them."""
    course_rows = _courses(school, courses)
    if course_rows and enrollments:
        load_enrollments(school, course_rows, enrollments, out=out)


def load_enrollments(school: School, courses: list[Course], enrollments: int, *, out: IO) -> None:
    """Enroll the school's learners in ``courses`` (round robin) up to ``enrollments`` bulk
    enrollments in them, with course progress, lesson progress and tokens."""
    lessons = {
        course.pk: list(
            Lesson.objects.filter(course=course)
            .exclude(type=LessonType.SECTION)
            .order_by("order")
            .values_list("id", flat=True)
        )
        for course in courses
    }
    publications = dict(
        PublishedCourse.objects.filter(course__in=courses).values_list("course_id", "id")
    )
    users = list(
        Member.objects.filter(school=school).order_by("id").values_list("user_id", flat=True)
    )
    done = Enrollment.objects.filter(
        school=school, course__in=courses, source=EnrollmentSource.IMPORT
    ).count()
    capacity = len(users) * len(courses)
    target = min(enrollments, capacity)
    if target < enrollments:
        out.write(f"  only {capacity} (learner, course) pairs exist; loading {target}\n")
    rng = random.Random(done)
    with tqdm(total=target, initial=done, desc="enrollments", unit="", file=out) as bar:
        for start in range(done, target, BATCH):
            stop = min(target, start + BATCH)
            with transaction.atomic():
                _load(school, start, stop, courses, lessons, publications, users, rng)
            bar.update(stop - start)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics and visibility maps: the planner and index-only scans see the load
        # (VACUUM cannot run in a transaction: a caller inside one, a test, goes without).
        with connection.cursor() as cursor:
            for model in (Enrollment, CourseProgress, LessonProgress, ProgressToken):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _courses(school: School, count: int) -> list[Course]:
    """The first ``count`` scale courses, made (with lessons, published) where missing."""
    existing = list(Course.objects.filter(school=school, slug__startswith=SLUG).order_by("slug"))
    for n in range(len(existing), count):
        existing.append(
            scale_course(school, title=f"Scale course {n + 1:04d}", slug=f"{SLUG}{n + 1:04d}")
        )
    return existing[:count]


def scale_course(school: School, *, title: str, slug: str, id: str | None = None) -> Course:
    """A course of ``LESSONS_PER_COURSE`` lessons, published on the school's first domain
    (every fifth lesson's progress carries a score)."""
    domain = Domain.objects.filter(school=school).order_by("created_at").first()
    course = Course.objects.create(
        **({"id": id} if id else {}),
        school=school,
        title=title,
        slug=slug,
        short_description="Bulk-loaded for benchmarks.",
    )
    Lesson.objects.bulk_create(
        Lesson(
            school=school,
            course=course,
            type=LessonType.HTML,
            order=order,
            title=f"Lesson {order}",
            time_seconds=300,
        )
        for order in range(1, LESSONS_PER_COURSE + 1)
    )
    if domain is not None:
        PublishedCourse.objects.create(
            school=school, domain=domain, course=course, slug=course.slug
        )
    return course


def _load(school, start, stop, courses, lessons, publications, users, rng) -> None:
    now = timezone.now()
    enrollment_rows, course_progress, lesson_progress, tokens = [], [], [], []
    for n in range(start, stop):
        course = courses[n % len(courses)]
        user = users[n // len(courses)]
        enrolled_at = now - timedelta(days=rng.randint(1, 365))
        enrollment_rows.append(
            Enrollment(
                id=new_id("enr"),
                school=school,
                user_id=user,
                course=course,
                published_course_id=publications.get(course.pk),
                enrolled_at=enrolled_at,
                source=EnrollmentSource.IMPORT,
                created_at=now,
                updated_at=now,
            )
        )
        course_lessons = lessons[course.pk]
        reached = rng.randint(0, len(course_lessons))
        complete = reached == len(course_lessons)
        course_progress.append(
            CourseProgress(
                id=new_id("cpg"),
                school=school,
                user_id=user,
                course=course,
                started_at=enrolled_at if reached else None,
                completed_at=now if complete else None,
                success_status="PASSED" if complete else None,
                last_accessed_at=now if reached else None,
            )
        )
        for position, lesson_id in enumerate(course_lessons):
            done = position < reached
            scored = done and (position + 1) % 5 == 0
            progress_id = new_id("lpg")
            lesson_progress.append(
                (
                    progress_id,
                    school.pk,
                    user,
                    course.pk,
                    lesson_id,
                    enrolled_at if done else None,
                    now if done else None,
                    now if done else None,
                    "PASSED" if done else None,
                    rng.randint(5, 10) if scored else None,
                    10 if scored else None,
                    "",
                    None,
                    None,
                    rng.randint(60, 900) if done else 0,
                    now if done else None,
                    None,
                    now,
                    now,
                )
            )
            tokens.append((new_id("ptk"), school.pk, progress_id, now, now))
    if connection.vendor == "postgresql":
        fields = Enrollment._meta.concrete_fields
        copy_tuples(
            Enrollment,
            [field.column for field in fields],
            (
                [
                    field.get_db_prep_save(getattr(row, field.attname), connection)
                    for field in fields
                ]
                for row in enrollment_rows
            ),
        )
        CourseProgress.objects.bulk_create(course_progress, batch_size=BATCH)
        copy_tuples(LessonProgress, PROGRESS_COLUMNS, lesson_progress)
        copy_tuples(
            ProgressToken,
            ("id", "school_id", "lesson_progress_id", "created_at", "updated_at"),
            tokens,
        )
        return
    Enrollment.objects.bulk_create(enrollment_rows, batch_size=500)
    CourseProgress.objects.bulk_create(course_progress, batch_size=500)
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(**dict(zip(PROGRESS_COLUMNS, row, strict=True)))
            for row in lesson_progress
        ],
        batch_size=500,
    )
    ProgressToken.objects.bulk_create(
        [ProgressToken(id=t[0], school_id=t[1], lesson_progress_id=t[2]) for t in tokens],
        batch_size=500,
    )
