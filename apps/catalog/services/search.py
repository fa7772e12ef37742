"""Keeping the full-text documents of published courses and paths current.

Each publication stores its search document (``search_vector``) on PostgreSQL: the title
weighs most (A), then the descriptions and search keywords (B), then the searchable content
of its lessons (C: titles, keywords and descriptions). The services that change any of it
(courses, lessons, paths, publications) call the refresh functions here inside their
transaction, so a search never reads a stale document. SQLite has no tsvector: the refresh
does nothing there and search falls back to ``icontains`` (see
``apps.catalog.selectors.publishing``).
"""

from collections.abc import Iterable
from html import unescape

import nh3
from django.contrib.postgres.search import CombinedSearchVector, SearchVector
from django.db import connection
from django.db.models import TextField, Value

from apps.catalog.models import Course, Lesson, LessonType, Path, PublishedCourse, PublishedPath
from apps.catalog.models.publishing import SEARCH_CONFIG

# A tsvector holds at most 1 MB; lesson text past this is left out of the document.
MAX_LESSON_TEXT = 200_000
# Courses whose documents one statement of ``published_course_search_refresh_many`` writes.
REFRESH_BATCH = 500
LESSON_TEXT_COLUMNS = ("title", "search_keywords", "description_html", "type")


def plain_text(html: str) -> str:
    """The text of an HTML fragment, tags dropped (nh3 with no allowed tag)."""
    return unescape(nh3.clean(html or "", tags=set())) if html else ""


def _vector(text: str, weight: str) -> SearchVector:
    return SearchVector(Value(text, output_field=TextField()), weight=weight, config=SEARCH_CONFIG)


def _searchable() -> bool:
    return connection.vendor == "postgresql"


def _lesson_text(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """The searchable text of lesson rows (``LESSON_TEXT_COLUMNS``, in course order)."""
    parts: list[str] = []
    for title, keywords, description, kind in rows:
        parts.append(title)
        if kind != LessonType.SECTION:
            parts.extend([keywords, plain_text(description)])
    return " ".join(part for part in parts if part)[:MAX_LESSON_TEXT]


def course_lesson_text(course: Course) -> str:
    """The searchable content of a course's lessons, headings included, in order."""
    rows = Lesson.objects.filter(course=course).order_by("order")
    return _lesson_text(rows.values_list(*LESSON_TEXT_COLUMNS))


def _course_document(course: Course, lesson_text: str) -> CombinedSearchVector:
    """The search document of a publication of ``course``: title (A), descriptions and the
    publication's own ``search_keywords`` (B), lesson content (C)."""
    descriptions = f"{course.short_description} {plain_text(course.long_description_html)}"
    return (
        _vector(course.title, "A")
        + _vector(descriptions, "B")
        + SearchVector("search_keywords", weight="B", config=SEARCH_CONFIG)
        + _vector(lesson_text, "C")
    )


def published_course_search_refresh(*, course: Course) -> None:
    """Rewrite the search document of every publication of ``course``."""
    if not _searchable():
        return
    publications = PublishedCourse.objects.filter(course=course)
    if not publications.exists():
        return
    course = Course.objects.get(pk=course.pk)
    publications.update(search_vector=_course_document(course, course_lesson_text(course)))


def published_course_search_refresh_many(*, course_ids: Iterable[str]) -> int:
    """Rewrite the search documents of every publication of these courses, as
    ``published_course_search_refresh`` writes them, a few statements per 500 courses (for
    bulk loads); return how many publications were rewritten."""
    if not _searchable():
        return 0
    ids = list(course_ids)
    rewritten = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        courses = Course.objects.only("title", "short_description", "long_description_html")
        by_id = {course.pk: course for course in courses.filter(pk__in=batch)}
        lessons: dict[str, list[tuple[str, str, str, str]]] = {}
        rows = Lesson.objects.filter(course_id__in=batch).order_by("course_id", "order")
        for course_id, *row in rows.values_list("course_id", *LESSON_TEXT_COLUMNS):
            lessons.setdefault(course_id, []).append(row)
        publications = list(PublishedCourse.objects.filter(course_id__in=batch).only("course"))
        for published in publications:
            text = _lesson_text(lessons.get(published.course_id, ()))
            published.search_vector = _course_document(by_id[published.course_id], text)
        # bulk_update writes each row's own expression (one CASE over the batch).
        PublishedCourse.objects.bulk_update(publications, ["search_vector"])
        rewritten += len(publications)
    return rewritten


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
