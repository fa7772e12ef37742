"""Reads of paths, their items and bundles."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from apps.catalog.models import Bundle, Course, Label, Lesson, LessonType, Path, PathItem


def path_list(*, queryset: QuerySet[Path] | None = None) -> QuerySet[Path]:
    """Paths with their labels and ``path_item_count``."""
    queryset = Path.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch("labels", queryset=Label.objects.order_by("name"))
    ).annotate(path_item_count=Count("items", distinct=True))


def lessons_for_counts() -> Prefetch:
    return Prefetch(
        "course__lessons",
        queryset=Lesson.objects.only("id", "course_id", "type", "optional", "order").order_by(
            "order"
        ),
        to_attr="ordered_lessons",
    )


def lesson_counts(lessons: Iterable[Lesson]) -> tuple[int, int]:
    """``(lesson_count, required_lesson_count)`` of a course's lessons given in order:
    headings are not lessons; a lesson is optional when it or its section's heading is."""
    total = required = 0
    section_optional = False
    for lesson in lessons:
        if lesson.type == LessonType.SECTION:
            section_optional = lesson.optional
            continue
        total += 1
        if not (lesson.optional or section_optional):
            required += 1
    return total, required


def path_item_list(*, queryset: QuerySet[PathItem] | None = None) -> QuerySet[PathItem]:
    """Path items in order with their course and its lessons (for the lesson counts)."""
    queryset = PathItem.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("course")
        .prefetch_related(lessons_for_counts())
        .order_by("path_id", "order")
    )


def bundle_list(*, queryset: QuerySet[Bundle] | None = None) -> QuerySet[Bundle]:
    """Bundles with their courses (by title)."""
    queryset = Bundle.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch("courses", queryset=Course.objects.only("id", "title").order_by("title", "id"))
    )
