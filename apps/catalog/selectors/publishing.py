"""Reads of what a school shows on its domains, and catalog search over it.

Search is ranked full-text search on PostgreSQL (``search_vector``, kept current by
``apps.catalog.services.search``; websearch syntax: words, "quoted phrases", -excluded),
best match first. On SQLite it is a case-insensitive substring match over the same texts,
title matches first.
"""

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ObjectDoesNotExist
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
from apps.core.money import money
from apps.core.pagination import LIST_COUNT

# A publication's offer (its price, from commerce) is read through the reverse one-to-one
# relation of this name, which commerce's ``Offer`` declares on each of its targets. The
# catalog names the relation and shapes the seed's ``offer`` summary, and never imports
# commerce: the dependency keeps pointing down (commerce → catalog). Without commerce
# installed the relation is absent and every summary is null.
OFFER_RELATION = "offer"
# The offer's columns a list row carries (a LEFT JOIN in the row statement itself).
OFFER_ROW_COLUMNS = (
    f"{OFFER_RELATION}__id",
    f"{OFFER_RELATION}__registration_open",
    f"{OFFER_RELATION}__price_cents",
    f"{OFFER_RELATION}__currency_code",
)


def has_offers(model: type) -> bool:
    """Whether ``model``'s rows can have an offer (commerce installed)."""
    return any(rel.name == OFFER_RELATION for rel in model._meta.related_objects)


def offer_summary(
    *,
    offer_id: str | None,
    registration_open: bool,
    price_cents: int | None,
    currency_code: str,
    domain_name: str | None,
) -> dict[str, Any] | None:
    """The seed's ``offer {id, registration_open, registration_url, price}``; None without
    an offer. ``registration_url`` is the checkout page on the domain (None: no domain)."""
    if offer_id is None:
        return None
    return {
        "id": offer_id,
        "registration_open": registration_open,
        "registration_url": f"https://{domain_name}/checkout/{offer_id}" if domain_name else None,
        "price": money(price_cents, currency_code),
    }


def offer_summary_of_row(row: dict[str, Any]) -> dict[str, Any] | None:
    """The offer summary of a ``published_course_rows`` row."""
    return offer_summary(
        offer_id=row.get(f"{OFFER_RELATION}__id"),
        registration_open=row.get(f"{OFFER_RELATION}__registration_open"),
        price_cents=row.get(f"{OFFER_RELATION}__price_cents"),
        currency_code=row.get(f"{OFFER_RELATION}__currency_code"),
        domain_name=row["domain__name"],
    )


def offer_summary_of(publication: Any) -> dict[str, Any] | None:
    """The offer summary of a publication read by ``published_course_list`` or
    ``published_path_list`` (offer joined, no further query)."""
    if not has_offers(type(publication)):
        return None
    try:
        offer = getattr(publication, OFFER_RELATION)
    except ObjectDoesNotExist:
        return None
    return offer_summary(
        offer_id=offer.id,
        registration_open=offer.registration_open,
        price_cents=offer.price_cents,
        currency_code=offer.currency_code,
        domain_name=publication.domain.name,
    )


def _with_offer(queryset: QuerySet) -> QuerySet:
    if has_offers(queryset.model):
        return queryset.select_related(OFFER_RELATION)
    return queryset


def published_course_list(
    *, queryset: QuerySet[PublishedCourse], searchable: bool = False
) -> QuerySet[PublishedCourse]:
    """Published courses with their course, domain and offer; with ``searchable`` also the
    course's labels and lessons (for ``include_searchable_content``)."""
    queryset = _with_offer(queryset.select_related("course", "domain"))
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
    the count comes from the same statement instead of a second one. The offer's columns
    come through a LEFT JOIN in the same statement (``OFFER_ROW_COLUMNS``)."""
    rows = queryset.select_related(None).prefetch_related(None)
    columns = PUBLISHED_COURSE_ROW_COLUMNS
    if has_offers(PublishedCourse):
        columns = (*columns, *OFFER_ROW_COLUMNS)
    if "rank" in queryset.query.annotations:
        return rows.values(*columns, **{LIST_COUNT: Window(Count("*"))})
    return rows.values(*columns)


def published_path_list(
    *, queryset: QuerySet[PublishedPath], searchable: bool = False
) -> QuerySet[PublishedPath]:
    """Published paths with their path, ``path_item_count``, domain and offer; with
    ``searchable`` also the path's labels and items (courses with their lesson counts)."""
    queryset = _with_offer(queryset.select_related("path", "domain")).annotate(
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
