"""Reads of what a school shows on its domains, and catalog search over it.

Search is ranked full-text search on PostgreSQL (``search_vector``, kept current by
``apps.catalog.services.search``; websearch syntax: words, "quoted phrases", -excluded),
best match first. On SQLite it is a case-insensitive substring match over the same texts,
title matches first.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)

from apps.catalog.models import (
    CourseSeries,
    Label,
    Lesson,
    PathItem,
    PublishedCourse,
    PublishedPath,
)
from apps.catalog.models.publishing import SEARCH_CONFIG
from apps.catalog.selectors.paths import lessons_for_counts
from apps.core.pagination import LIST_COUNT


def published_course_list(
    *, queryset: QuerySet[PublishedCourse], searchable: bool = False
) -> QuerySet[PublishedCourse]:
    """Published courses with their course and domain; with ``searchable`` also the course's
    labels and lessons (for ``include_searchable_content``)."""
    queryset = queryset.select_related("course", "domain")
    if searchable:
        queryset = queryset.prefetch_related(
            Prefetch("course__labels", queryset=Label.objects.order_by("name")),
            Prefetch(
                "course__lessons",
                queryset=Lesson.objects.order_by("order"),
                to_attr="ordered_lessons",
            ),
        )
    return queryset


# The columns of a published course's list row (``published_course_rows``), enough for its
# seed shape without the searchable content.
PUBLISHED_COURSE_ROW_COLUMNS = (
    "id",
    "course_id",
    "course__title",
    "slug",
    "domain__name",
    "hidden",
    "registration_required",
    "registration_starts_at",
    "registration_ends_at",
    "timezone",
    "course_series_id",
    "created_at",
    "updated_at",
)


def published_course_rows(queryset: QuerySet[PublishedCourse]) -> QuerySet[dict]:
    """The publications of ``queryset`` as plain rows (``PUBLISHED_COURSE_ROW_COLUMNS``) in
    its order: no model instances, and none of the columns the shape does not show (the
    search document is most of a row's bytes). Rows of a search (ranked) also carry how many
    publications match (``LIST_COUNT``): ranking reads every match to sort them anyway, so
    the count comes from the same statement instead of a second one."""
    rows = queryset.select_related(None).prefetch_related(None)
    if "rank" in queryset.query.annotations:
        return rows.values(*PUBLISHED_COURSE_ROW_COLUMNS, **{LIST_COUNT: Window(Count("*"))})
    return rows.values(*PUBLISHED_COURSE_ROW_COLUMNS)


def published_path_list(
    *, queryset: QuerySet[PublishedPath], searchable: bool = False
) -> QuerySet[PublishedPath]:
    """Published paths with their path, ``path_item_count`` and domain; with ``searchable``
    also the path's labels and items (courses with their lesson counts)."""
    queryset = queryset.select_related("path", "domain").annotate(
        path_item_count=Count("path__items", distinct=True)
    )
    if searchable:
        items = PathItem.objects.select_related("course").prefetch_related(lessons_for_counts())
        queryset = queryset.prefetch_related(
            Prefetch("path__labels", queryset=Label.objects.order_by("name")),
            Prefetch("path__items", queryset=items.order_by("order"), to_attr="ordered_items"),
        )
    return queryset


def course_series_list(*, queryset: QuerySet[CourseSeries]) -> QuerySet[CourseSeries]:
    """Course series with ``published_course_count``."""
    return queryset.annotate(published_course_count=Count("published_courses"))


def _ranked(queryset: QuerySet, term: str) -> QuerySet:
    query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "id")
    )


def published_course_search(queryset: QuerySet[PublishedCourse], term: str) -> QuerySet:
    """The publications matching ``term`` as a catalog search finds them, best first."""
    term = term.strip()
    if not term:
        return queryset
    if connection.vendor == "postgresql":
        return _ranked(queryset, term)
    in_lessons = Lesson.objects.filter(course_id=OuterRef("course_id")).filter(
        Q(title__icontains=term)
        | Q(search_keywords__icontains=term)
        | Q(description_html__icontains=term)
    )
    matches = (
        Q(course__title__icontains=term)
        | Q(course__short_description__icontains=term)
        | Q(course__long_description_html__icontains=term)
        | Q(search_keywords__icontains=term)
        | Q(Exists(in_lessons))
    )
    return (
        queryset.filter(matches)
        .annotate(
            rank=Case(
                When(course__title__icontains=term, then=Value(0)),
                When(Exists(in_lessons), then=Value(2)),
                default=Value(1),
            )
        )
        .order_by("rank", "id")
    )


def published_path_search(queryset: QuerySet[PublishedPath], term: str) -> QuerySet:
    """The published paths matching ``term`` (never by their items), best first."""
    term = term.strip()
    if not term:
        return queryset
    if connection.vendor == "postgresql":
        return _ranked(queryset, term)
    return (
        queryset.filter(
            Q(path__title__icontains=term)
            | Q(path__short_description__icontains=term)
            | Q(path__long_description_html__icontains=term)
            | Q(path__search_keywords__icontains=term)
        )
        .annotate(
            rank=Case(
                When(path__title__icontains=term, then=Value(0)),
                When(path__search_keywords__icontains=term, then=Value(2)),
                default=Value(1),
            )
        )
        .order_by("rank", "id")
    )
