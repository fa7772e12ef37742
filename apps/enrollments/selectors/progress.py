"""Reads of progress: required lessons, release times, and course summaries computed in SQL.

A course summary (LearnFlow's ``percent_complete``, ``current_lesson``, ``total_lessons``,
``time_spent_minutes``, ``last_accessed_at``, ``completion_redirect``) is two correlated
aggregates on the course progress row (the course's lessons, the person's progress in
them), each answering all its figures as one JSON object: a page of summaries is one
statement whatever the number of lessons or learners, and no lesson row is loaded to
compute it.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject

from apps.catalog.models import Course, Lesson, LessonType, PathItem
from apps.core.times import format_datetime
from apps.enrollments.models import CourseProgress, Enrollment, LessonProgress
from apps.enrollments.selectors.enrollments import ENROLLMENT_COLUMNS, current
from apps.schools.models import User


def _heading(field: str, lesson_ref: str = "pk") -> Subquery:
    """The value of ``field`` on the section heading above the outer lesson (None when the
    lesson sits before the first heading). ``lesson_ref`` is the outer query's path to it."""
    prefix = "" if lesson_ref == "pk" else lesson_ref.removesuffix("id").removesuffix("_")
    course_ref = f"{prefix}__course_id" if prefix else "course_id"
    order_ref = f"{prefix}__order" if prefix else "order"
    return Subquery(
        Lesson.objects.filter(
            course_id=OuterRef(course_ref), type=LessonType.SECTION, order__lt=OuterRef(order_ref)
        )
        .order_by("-order")
        .values(field)[:1]
    )


def required_lessons(*, course: Course | str) -> QuerySet[Lesson]:
    """The lessons a learner must complete to complete ``course``: not section headings, not
    optional, and not in a section whose heading is optional."""
    return (
        Lesson.objects.filter(course=course)
        .exclude(type=LessonType.SECTION)
        .annotate(
            section_optional=Coalesce(
                _heading("optional"), Value(False), output_field=BooleanField()
            )
        )
        .filter(optional=False, section_optional=False)
    )


def required_lessons_left(*, user: User, course: Course | str) -> QuerySet[Lesson]:
    """The required lessons of ``course`` that ``user`` has not completed."""
    done = LessonProgress.objects.filter(user=user, completed_at__isnull=False)
    return required_lessons(course=course).exclude(pk__in=done.values("lesson_id"))


def first_enrolled_at(*, user: User, course: Course | str, at: datetime | None = None):
    """When the earliest of the person's current enrollments in the course began (the start
    of drip schedules), or None without access."""
    rows = current(Enrollment.objects.filter(user=user, course=course), at)
    return rows.aggregate(first=Min("enrolled_at"))["first"]


def release_at(
    *, lesson: Lesson, enrolled_at: datetime | None, heading: Lesson | None
) -> datetime | None:
    """When ``lesson`` opens for a learner enrolled at ``enrolled_at``: its own drip and its
    section heading's, the later of the two; None when nothing holds it back."""
    times = []
    for source in (lesson, heading):
        if source is None:
            continue
        if source.drip_release_at is not None:
            times.append(source.drip_release_at)
        elif source.drip_days_after_enrollment is not None and enrolled_at is not None:
            times.append(enrolled_at + timedelta(days=source.drip_days_after_enrollment))
    return max(times) if times else None


def section_heading(*, lesson: Lesson) -> Lesson | None:
    """The SECTION heading whose section holds ``lesson``."""
    return (
        Lesson.objects.filter(course_id=lesson.course_id, type=LessonType.SECTION)
        .filter(order__lt=lesson.order)
        .order_by("-order")
        .first()
    )


def _count(queryset: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _figures(queryset: QuerySet, group: str, **figures: Any) -> Subquery:
    """One correlated subquery answering several aggregates of ``queryset`` as a JSON
    object (None when it has no row): each set of rows is read once for all its figures."""
    return Subquery(
        queryset.order_by().values(group).annotate(figures=JSONObject(**figures)).values("figures"),
        output_field=JSONField(),
    )


def with_summary(queryset: QuerySet[CourseProgress]) -> QuerySet[CourseProgress]:
    """Course progress rows annotated with their summary: ``lesson_figures`` (the course's
    lessons: ``total``, ``required``, ``position`` of the current lesson), ``my_figures``
    (the person's progress in them: ``completed``, ``required_completed``, ``time_spent``)
    and ``completion_redirect_url``; ``summary_figures`` reads them.

    The person's lesson progress is read through its (course, user) index, never by
    scanning all of the person's rows: someone enrolled in a hundred courses has thousands,
    and each course's figures need only its own. A row is counted while its lesson is in
    the course (``lesson_progress_follow_lesson`` moves rows with their lesson)."""
    lessons = (
        Lesson.objects.filter(course_id=OuterRef("course_id"))
        .exclude(type=LessonType.SECTION)
        .annotate(section_optional=Coalesce(_heading("optional"), Value(False)))
    )
    mine = LessonProgress.objects.filter(
        user_id=OuterRef("user_id"),
        course_id=OuterRef("course_id"),
        lesson__course_id=OuterRef("course_id"),
    ).exclude(lesson__type=LessonType.SECTION)
    mine = mine.annotate(section_optional=Coalesce(_heading("optional", "lesson_id"), Value(False)))
    required = Q(optional=False, section_optional=False)
    redirect = (
        Enrollment.objects.filter(user_id=OuterRef("user_id"), course_id=OuterRef("course_id"))
        .exclude(completion_redirect="")
        .order_by("-enrolled_at", "-id")
        .values("completion_redirect")[:1]
    )
    return queryset.annotate(
        lesson_figures=_figures(
            lessons,
            "course_id",
            total=Count("pk"),
            required=Count("pk", filter=required),
            position=Count("pk", filter=Q(order__lte=OuterRef("current_lesson__order"))),
        ),
        my_figures=_figures(
            mine,
            "course_id",
            completed=Count("completed_at"),
            required_completed=Count(
                "completed_at", filter=Q(lesson__optional=False, section_optional=False)
            ),
            time_spent=Coalesce(Sum("time_spent_seconds"), 0),
        ),
        completion_redirect_url=Subquery(redirect),
    )


SUMMARY_COLUMNS = (
    "id",
    "user_id",
    "course_id",
    "course__title",
    "started_at",
    "completed_at",
    "success_status",
    "last_accessed_at",
    "current_lesson_id",
    "lesson_figures",
    "my_figures",
    "completion_redirect_url",
)


def summary_rows(queryset: QuerySet[CourseProgress]) -> QuerySet[dict]:
    """Course progress rows with their summaries as plain rows: one statement a page."""
    return with_summary(queryset.select_related(None)).values(*SUMMARY_COLUMNS)


def summary_figures(row: dict[str, Any]) -> dict[str, int]:
    """The counts of a ``summary_rows`` row: ``total_lessons``, ``lessons_completed``,
    ``required_lessons``, ``required_lessons_completed``, ``time_spent_total``,
    ``current_position`` (0 where the course or the person has no row)."""
    lessons = row["lesson_figures"] or {}
    mine = row["my_figures"] or {}
    return {
        "total_lessons": lessons.get("total", 0),
        "lessons_completed": mine.get("completed", 0),
        "required_lessons": lessons.get("required", 0),
        "required_lessons_completed": mine.get("required_completed", 0),
        "time_spent_total": mine.get("time_spent", 0),
        "current_position": lessons.get("position", 0),
    }


def percent(done: int, total: int) -> float:
    """Done out of total as a percentage with one decimal (0 for an empty course)."""
    return round(done * 100 / total, 1) if total else 0.0


def summary_payload(row: dict[str, Any]) -> dict[str, Any]:
    """LearnFlow's course progress (``status``, ``current_lesson``, ``total_lessons``,
    ``percent_complete``, ``time_spent_minutes`` …) of a ``summary_rows`` row."""
    figures = summary_figures(row)
    total = figures["total_lessons"]
    if row["completed_at"] is not None:
        status = "completed"
    elif row["started_at"] is not None:
        status = "in_progress"
    else:
        status = "not_started"
    position = figures["current_position"] if row["current_lesson_id"] else min(1, total)
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "course_id": row["course_id"],
        "course_title": row["course__title"],
        "status": status,
        "current_lesson": position,
        "current_lesson_id": row["current_lesson_id"],
        "total_lessons": total,
        "lessons_completed": figures["lessons_completed"],
        "required_lessons": figures["required_lessons"],
        "required_lessons_completed": figures["required_lessons_completed"],
        "percent_complete": percent(figures["lessons_completed"], total),
        "time_spent_minutes": figures["time_spent_total"] // 60,
        "time_spent_seconds": figures["time_spent_total"],
        "started_at": format_datetime(row["started_at"]),
        "last_accessed_at": format_datetime(row["last_accessed_at"]),
        "completed_at": format_datetime(row["completed_at"]),
        "success_status": row["success_status"],
        "completion_redirect": row["completion_redirect_url"] or None,
    }


def course_summaries(*, user_ids: list[str], course_ids: list[str]) -> dict[tuple, dict]:
    """The summaries of the given (user, course) pairs' progress, keyed by (user id, course
    id): one statement for a page of enrollments."""
    rows = summary_rows(
        CourseProgress.objects.filter(user_id__in=set(user_ids), course_id__in=set(course_ids))
    )
    return {(row["user_id"], row["course_id"]): summary_payload(row) for row in rows}


# --- a learner's lessons in a course ---------------------------------------------------------

LESSON_PROGRESS_COLUMNS = (
    "id",
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
    "created_at",
    "updated_at",
)
_LESSON_PROGRESS_TIMES = (
    "started_at",
    "finished_at",
    "completed_at",
    "last_accessed_at",
    "created_at",
    "updated_at",
)
LESSON_COLUMNS = (
    "lesson__title",
    "lesson__type",
    "lesson__order",
    "lesson__optional",
    "lesson__requires_validation",
    "lesson__drip_days_after_enrollment",
    "lesson__drip_release_at",
)


def lesson_progress_rows(queryset: QuerySet[LessonProgress]) -> QuerySet[dict]:
    """Lesson progress rows with their token, lesson and section heading: one statement."""
    return (
        queryset.select_related(None)
        .annotate(
            heading_id=_heading("id", "lesson_id"),
            heading_optional=_heading("optional", "lesson_id"),
            heading_drip_days=_heading("drip_days_after_enrollment", "lesson_id"),
            heading_drip_at=_heading("drip_release_at", "lesson_id"),
        )
        .values(
            *LESSON_PROGRESS_COLUMNS,
            *LESSON_COLUMNS,
            "token__id",
            "heading_id",
            "heading_optional",
            "heading_drip_days",
            "heading_drip_at",
        )
    )


def lesson_progress_payload(row: dict[str, Any]) -> dict[str, Any]:
    """Skilljar's lesson progress (its flat fields) plus its progress token and time spent."""
    shape = {name: row[name] for name in LESSON_PROGRESS_COLUMNS}
    for name in _LESSON_PROGRESS_TIMES:
        shape[name] = format_datetime(shape[name])
    shape["progress_token_id"] = row["token__id"]
    return shape


def lesson_row_release(row: dict[str, Any], enrolled_at: datetime | None) -> datetime | None:
    """``release_at`` of a ``lesson_progress_rows`` row."""
    own = Lesson(
        drip_days_after_enrollment=row["lesson__drip_days_after_enrollment"],
        drip_release_at=row["lesson__drip_release_at"],
    )
    heading = None
    if row["heading_id"] is not None:
        heading = Lesson(
            drip_days_after_enrollment=row["heading_drip_days"],
            drip_release_at=row["heading_drip_at"],
        )
    return release_at(lesson=own, enrolled_at=enrolled_at, heading=heading)


def user_lesson_payload(row: dict[str, Any], enrolled_at: datetime | None) -> dict[str, Any]:
    """A lesson of a learner's course with its progress (``users/{id}/published-courses/{id}/
    lessons``): the lesson's id, title, type, position, whether it counts for completion and
    when it opens for this learner."""
    return {
        "id": row["lesson_id"],
        "title": row["lesson__title"],
        "type": row["lesson__type"],
        "order": row["lesson__order"],
        "optional": bool(row["lesson__optional"] or row["heading_optional"]),
        "requires_validation": row["lesson__requires_validation"],
        "section_id": row["heading_id"],
        "released_at": format_datetime(lesson_row_release(row, enrolled_at)),
        "lesson_progress": lesson_progress_payload(row),
    }


PATH_ENROLLMENT_COLUMNS = (
    *ENROLLMENT_COLUMNS,
    "path_id",
    "path__title",
    "published_path_id",
    "completed_at",
)


def path_enrollment_rows(queryset: QuerySet) -> QuerySet[dict]:
    """A person's path enrollments as rows with their path's progress (``total_courses``,
    ``courses_completed``): one statement for a page."""
    return (
        queryset.select_related(None)
        .annotate(
            total_courses=_count(PathItem.objects.filter(path_id=OuterRef("path_id")), "path_id"),
            courses_completed=_count(
                CourseProgress.objects.filter(
                    user_id=OuterRef("user_id"),
                    completed_at__isnull=False,
                    course__path_items__path_id=OuterRef("path_id"),
                ),
                "user_id",
            ),
        )
        .values(*PATH_ENROLLMENT_COLUMNS, "total_courses", "courses_completed")
    )
