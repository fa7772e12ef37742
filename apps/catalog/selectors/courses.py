"""Reads of courses, their labels and their contents tree."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.catalog.models import Course, Label, Lesson, LessonType


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


@dataclass
class Section:
    """A section heading and the lessons under it; the lessons before the first heading form
    a section without a heading (``heading`` None)."""

    heading: Lesson | None
    lessons: list[Lesson] = field(default_factory=list)


def course_contents(*, course: Course) -> list[Section]:
    """The course's sections with their lessons, in order, from one query."""
    sections: list[Section] = []
    for lesson in Lesson.objects.filter(course=course).order_by("order"):
        if lesson.type == LessonType.SECTION:
            sections.append(Section(heading=lesson))
        else:
            if not sections:
                sections.append(Section(heading=None))
            sections[-1].lessons.append(lesson)
    return sections
