"""Admin for a learner's progress: one page per person and course with every lesson's state,
read-only (progress changes through the learner's activity and the API, which keep
completion and its events right), and a course's progress as a streamed CSV file."""

import csv
from collections.abc import Iterator
from datetime import datetime

from django.contrib import admin
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify

from apps.catalog.models import Course
from apps.core.admin import SchoolScopedAdmin
from apps.core.times import format_datetime
from apps.enrollments.models import CourseProgress, LessonProgress
from apps.enrollments.selectors.progress_export import PROGRESS_CSV_HEADER, course_progress_rows

LESSON_COLUMNS = ("started", "completed", "result", "score", "time (s)", "last seen")


@admin.register(CourseProgress)
class CourseProgressAdmin(SchoolScopedAdmin):
    """A learner's progress in a course (read-only): started, last seen, completed, and each
    lesson's state below."""

    list_display = ["user", "course", "started_at", "last_accessed_at", "completed_at"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter), "success_status"]
    list_select_related = ["user", "course"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "course__title"]
    fields = [
        "id",
        "user",
        "course",
        "started_at",
        "last_accessed_at",
        "current_lesson",
        "completed_at",
        "success_status",
        "lessons",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    @admin.display(description="lessons")
    def lessons(self, obj: CourseProgress) -> SafeString:
        rows = (
            LessonProgress.objects.filter(user_id=obj.user_id, course_id=obj.course_id)
            .select_related("lesson")
            .order_by("lesson__order")
        )
        body = format_html_join(
            "",
            "<tr><td>{}. {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    row.lesson.order,
                    row.lesson.title,
                    _when(row.started_at),
                    _when(row.completed_at),
                    row.success_status or "—",
                    "—" if row.score is None else f"{row.score} / {row.max_score or '—'}",
                    row.time_spent_seconds,
                    _when(row.last_accessed_at),
                )
                for row in rows
            ),
        )
        head = format_html_join("", "<th>{}</th>", ((name,) for name in LESSON_COLUMNS))
        return format_html("<table><tr><th>lesson</th>{}</tr>{}</table>", head, body)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


# Cells a spreadsheet would run as a formula start with one of these; they get a quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


def stream_course_progress_csv(course: Course) -> StreamingHttpResponse:
    """Every person's progress in every lesson of ``course`` as CSV, written as it is read
    (constant memory whatever the course's size); text a spreadsheet would take for a
    formula is quoted."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(PROGRESS_CSV_HEADER)
        for row in course_progress_rows(course=course):
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = slugify(course.title) or course.pk
    response["Content-Disposition"] = f'attachment; filename="{name}-progress.csv"'
    return response
