"""Keeping the full-text documents of published courses and paths current.

Each publication stores its search document (``search_vector``) on PostgreSQL: the title
weighs most (A), then the descriptions and search keywords (B), then the searchable content
of its lessons (C: titles, keywords and descriptions). The services that change any of it
(courses, lessons, paths, publications) call the refresh functions here inside their
transaction, so a search never reads a stale document. SQLite has no tsvector: the refresh
does nothing there and search falls back to ``icontains`` (see
``apps.catalog.selectors.publishing``).
"""

from html import unescape

import nh3
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value

from apps.catalog.models import Course, Lesson, LessonType, Path, PublishedCourse, PublishedPath
from apps.catalog.models.publishing import SEARCH_CONFIG

# A tsvector holds at most 1 MB; lesson text past this is left out of the document.
MAX_LESSON_TEXT = 200_000


def plain_text(html: str) -> str:
    """The text of an HTML fragment, tags dropped (nh3 with no allowed tag)."""
    return unescape(nh3.clean(html or "", tags=set())) if html else ""


def _vector(text: str, weight: str) -> SearchVector:
    return SearchVector(Value(text, output_field=TextField()), weight=weight, config=SEARCH_CONFIG)


def _searchable() -> bool:
    return connection.vendor == "postgresql"


def course_lesson_text(course: Course) -> str:
    """The searchable content of a course's lessons, headings included, in order."""
    parts: list[str] = []
    rows = Lesson.objects.filter(course=course).order_by("order")
    for title, keywords, description, kind in rows.values_list(
        "title", "search_keywords", "description_html", "type"
    ):
        parts.append(title)
        if kind != LessonType.SECTION:
            parts.extend([keywords, plain_text(description)])
    return " ".join(part for part in parts if part)[:MAX_LESSON_TEXT]


def published_course_search_refresh(*, course: Course) -> None:
    """Rewrite the search document of every publication of ``course``."""
    if not _searchable():
        return
    publications = PublishedCourse.objects.filter(course=course)
    if not publications.exists():
        return
    course = Course.objects.get(pk=course.pk)
    descriptions = f"{course.short_description} {plain_text(course.long_description_html)}"
    publications.update(
        search_vector=_vector(course.title, "A")
        + _vector(descriptions, "B")
        + SearchVector("search_keywords", weight="B", config=SEARCH_CONFIG)
        + _vector(course_lesson_text(course), "C")
    )


def published_path_search_refresh(*, path: Path) -> None:
    """Rewrite the search document of every publication of ``path`` (its items are not
    part of it: search does not look inside ``path_item_list``)."""
    if not _searchable():
        return
    publications = PublishedPath.objects.filter(path=path)
    if not publications.exists():
        return
    path = Path.objects.get(pk=path.pk)
    descriptions = f"{path.short_description} {plain_text(path.long_description_html)}"
    publications.update(
        search_vector=_vector(path.title, "A")
        + _vector(descriptions, "B")
        + _vector(path.search_keywords, "C")
    )
