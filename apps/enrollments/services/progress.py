"""Writes of progress: the rows every enrolled person has in a course."""

from apps.catalog.models import Course, LessonType
from apps.enrollments.models import CourseProgress, LessonProgress, ProgressToken
from apps.schools.models import User


def progress_rows_ensure(*, user: User, course: Course) -> None:
    """Make the person's course progress, a lesson progress for every lesson that is not a
    section heading, and a progress token for each, where missing. Idempotent and safe under
    concurrent calls (each statement skips rows that exist, so no transaction is needed);
    two statements when nothing is missing."""
    CourseProgress.objects.bulk_create(
        [CourseProgress(school_id=course.school_id, user=user, course=course)],
        ignore_conflicts=True,
    )
    lesson_ids = list(
        course.lessons.exclude(type=LessonType.SECTION)
        .exclude(progress__user=user)
        .values_list("id", flat=True)
    )
    if lesson_ids:
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(
                    school_id=course.school_id, user=user, course=course, lesson_id=lesson_id
                )
                for lesson_id in lesson_ids
            ],
            ignore_conflicts=True,
        )
        untokened = LessonProgress.objects.filter(
            user=user, course=course, token__isnull=True
        ).values_list("id", flat=True)
        ProgressToken.objects.bulk_create(
            [
                ProgressToken(school_id=course.school_id, lesson_progress_id=progress_id)
                for progress_id in untokened
            ],
            ignore_conflicts=True,
        )
