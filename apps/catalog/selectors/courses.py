"""Reads of courses, their labels and their contents tree."""

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.catalog.models import Course, Label, Lesson, LessonType
from apps.core.times import format_datetime


def course_list(*, queryset: QuerySet[Course] | None = None) -> QuerySet[Course]:
    """Courses with their labels, instructor and ``total_lessons`` (headings not counted)."""
    queryset = Course.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("instructor__user")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))
        .annotate(total_lessons=Count("lessons", filter=~Q(lessons__type=LessonType.SECTION)))
    )


def label_list(*, queryset: QuerySet[Label] | None = None) -> QuerySet[Label]:
    """Labels in name order."""
    queryset = Label.objects.all() if queryset is None else queryset
    return queryset.order_by("name", "id")


# The columns of a lesson as the API shows it, in ``LessonSerializer``'s order.
LESSON_COLUMNS = (
    "id",
    "content_asset_id",
    "content_html",
    "content_quiz_id",
    "content_web_package_id",
    "course_id",
    "description_html",
    "display_fullscreen",
    "optional",
    "requires_validation",
    "order",
    "search_keywords",
    "time_seconds",
    "title",
    "tooltip_html",
    "type",
    "drip_days_after_enrollment",
    "drip_release_at",
    "due_at",
    "allow_late_submissions",
    "created_at",
    "updated_at",
)
_TIMES = ("drip_release_at", "due_at", "created_at", "updated_at")


def lesson_row(values: dict) -> dict:
    """A lesson's API shape from its column values (what ``LessonSerializer`` gives for the
    same row, built without model instances: a course's tree carries a thousand lessons)."""
    row = {name: values[name] for name in LESSON_COLUMNS}
    for name in _TIMES:
        row[name] = format_datetime(row[name])
    return row


def course_contents(*, course: Course) -> list[dict]:
    """The course's sections with their lessons, in order, from one query: each section is
    ``{id, title, order, drip_days_after_enrollment, drip_release_at, lessons}``; the
    lessons before the first heading form a section whose ``id`` is None."""
    sections: list[dict] = []
    rows = Lesson.objects.filter(course=course).order_by("order").values(*LESSON_COLUMNS)
    for values in rows.iterator(chunk_size=2000):
        lesson = lesson_row(values)
        if lesson["type"] == LessonType.SECTION:
            sections.append(_section(lesson))
            continue
        if not sections:
            sections.append(_section(None))
        sections[-1]["lessons"].append(lesson)
    return sections


def _section(heading: dict | None) -> dict:
    fields = ("id", "title", "order", "drip_days_after_enrollment", "drip_release_at")
    section = {name: (heading or {}).get(name) for name in fields}
    section["title"] = section["title"] or ""
    section["lessons"] = []
    return section
