"""A course's progress as rows for export: one per (person, lesson), read in chunks."""

from collections.abc import Iterator

from apps.catalog.models import Course
from apps.enrollments.models import LessonProgress

PROGRESS_CSV_HEADER = (
    "user_id",
    "email",
    "first_name",
    "last_name",
    "lesson_id",
    "lesson_order",
    "lesson_title",
    "started_at",
    "finished_at",
    "completed_at",
    "success_status",
    "score",
    "max_score",
    "time_spent_seconds",
    "last_accessed_at",
)
_COLUMNS = (
    "user_id",
    "user__email",
    "user__first_name",
    "user__last_name",
    "lesson_id",
    "lesson__order",
    "lesson__title",
    "started_at",
    "finished_at",
    "completed_at",
    "success_status",
    "score",
    "max_score",
    "time_spent_seconds",
    "last_accessed_at",
)


def course_progress_rows(*, course: Course, chunk: int = 2000) -> Iterator[tuple]:
    """``PROGRESS_CSV_HEADER`` tuples of every lesson progress of ``course``, by person then
    lesson position, streamed from the database ``chunk`` rows at a time."""
    return (
        LessonProgress.objects.filter(course=course)
        .order_by("user_id", "lesson__order")
        .values_list(*_COLUMNS)
        .iterator(chunk_size=chunk)
    )
