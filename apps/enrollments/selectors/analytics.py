"""Course and lesson analytics: aggregates computed by the database in one statement each.

Indexes made for them (migration ``0002_analytics_indexes``): on PostgreSQL, lesson progress
is covered by ``(course_id) INCLUDE (time_spent_seconds, score, max_score)`` and
``(lesson_id) INCLUDE (completed_at, time_spent_seconds, score, max_score,
success_status)``, so a course's million progress rows are read from an index alone; course
progress by ``(course_id, completed_at)``; enrollments by ``(course_id, enrolled_at)``.
"""

from datetime import timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.catalog.models import Course, Lesson, LessonType
from apps.enrollments.models import CourseProgress, Enrollment, LessonProgress
from apps.enrollments.selectors.enrollments import current


def _scalar(queryset, expression) -> Subquery:
    """``queryset``'s one aggregate as a scalar subquery (its rows grouped as one)."""
    return Subquery(
        queryset.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=expression)
        .values("n")[:1]
    )


def _percent():
    return ExpressionWrapper(F("score") * Value(100.0) / F("max_score"), output_field=FloatField())


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def course_analytics(*, course: Course) -> dict[str, Any]:
    """``{enrolled, active, started, completed, completion_rate, average_score,
    average_time_seconds, lessons}`` of a course, from two statements: the counts, and one
    pass over the course's lesson progress (an index-only scan on PostgreSQL).

    ``enrolled`` and ``active`` count people (several enrollments of one person count once;
    active = holding a current enrollment), ``average_score`` is the mean percentage of the
    scored lesson results, ``average_time_seconds`` the time spent per enrolled person."""
    # The course id is a constant in every subquery (not an outer reference), so the planner
    # picks each table's course index.
    enrollments = Enrollment.objects.filter(course_id=course.pk)
    progress = CourseProgress.objects.filter(course_id=course.pk)
    people = Count("user_id", distinct=True)
    counts = (
        Course.objects.filter(pk=course.pk)
        .annotate(
            enrolled=Coalesce(_scalar(enrollments, people), 0),
            active=Coalesce(_scalar(current(enrollments), people), 0),
            started=Coalesce(_scalar(progress.filter(started_at__isnull=False), Count("id")), 0),
            completed=Coalesce(
                _scalar(progress.filter(completed_at__isnull=False), Count("id")), 0
            ),
            lesson_count=Coalesce(
                _scalar(
                    Lesson.objects.filter(course_id=course.pk).exclude(type=LessonType.SECTION),
                    Count("id"),
                ),
                0,
            ),
        )
        .values("enrolled", "active", "started", "completed", "lesson_count")
        .get()
    )
    results = LessonProgress.objects.filter(course_id=course.pk).aggregate(
        average_score=Avg(_percent(), filter=Q(score__isnull=False, max_score__gt=0)),
        time_spent=Sum("time_spent_seconds"),
    )
    enrolled = counts["enrolled"]
    score = results["average_score"]
    return {
        "course_id": course.pk,
        "enrolled": enrolled,
        "active": counts["active"],
        "started": counts["started"],
        "completed": counts["completed"],
        "completion_rate": _rate(counts["completed"], enrolled),
        "average_score": None if score is None else round(score, 2),
        "average_time_seconds": round((results["time_spent"] or 0) / enrolled)
        if enrolled
        else None,
        "lessons": counts["lesson_count"],
    }


def lesson_analytics(*, lesson: Lesson) -> dict[str, Any]:
    """``{learners, started, completed, completion_rate, passed, failed, average_score,
    average_time_seconds}`` of one lesson (a learning unit), from one statement."""
    row = LessonProgress.objects.filter(lesson=lesson).aggregate(
        learners=Count("id"),
        started=Count("id", filter=Q(started_at__isnull=False) | Q(completed_at__isnull=False)),
        completed=Count("id", filter=Q(completed_at__isnull=False)),
        passed=Count("id", filter=Q(success_status="PASSED")),
        failed=Count("id", filter=Q(success_status="FAILED")),
        average_score=Avg(_percent(), filter=Q(score__isnull=False, max_score__gt=0)),
        average_time=Avg("time_spent_seconds", filter=Q(time_spent_seconds__gt=0)),
    )
    return {
        "course_id": lesson.course_id,
        "lesson_id": lesson.pk,
        "title": lesson.title,
        "type": lesson.type,
        "learners": row["learners"],
        "started": row["started"],
        "completed": row["completed"],
        "completion_rate": _rate(row["completed"], row["learners"]),
        "passed": row["passed"],
        "failed": row["failed"],
        "average_score": None if row["average_score"] is None else round(row["average_score"], 2),
        "average_time_seconds": None if row["average_time"] is None else round(row["average_time"]),
    }


def enrollments_per_week(*, course: Course, weeks: int = 12) -> list[tuple[Any, int]]:
    """New enrollments in the course per week, the last ``weeks`` weeks, oldest first (weeks
    without any included as 0)."""
    now = timezone.now()
    since = now - timedelta(weeks=weeks)
    counts = dict(
        Enrollment.objects.filter(course=course, enrolled_at__gte=since)
        .annotate(week=TruncWeek("enrolled_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    series = []
    for back in range(weeks - 1, -1, -1):
        week = start - timedelta(weeks=back)
        series.append((week, next((n for w, n in counts.items() if w.date() == week.date()), 0)))
    return series


def completion_funnel(*, course: Course) -> list[tuple[str, int]]:
    """Per lesson in course order (headings left out): how many people completed it."""
    return list(
        Lesson.objects.filter(course=course)
        .exclude(type=LessonType.SECTION)
        .annotate(done=Count("progress", filter=Q(progress__completed_at__isnull=False)))
        .order_by("order")
        .values_list("title", "done")
    )
