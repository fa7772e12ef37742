"""Writes of what a school shows on its domains: course series, published courses (which
emit ``course.published`` / ``course.unpublished``) and published paths."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import Course, CourseSeries, Path, PublishedCourse, PublishedPath
from apps.catalog.services.search import (
    published_course_search_refresh,
    published_path_search_refresh,
)
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.times import is_time_zone
from apps.schools.models import Domain


def published_course_payload(published: PublishedCourse) -> dict[str, Any]:
    """The event data of a publication: where the course is shown, and as what."""
    return {
        "id": published.id,
        "domain": published.domain.name,
        "course": {"id": published.course_id, "title": published.course.title},
        "slug": published.slug,
        "course_url": published.course_url,
        "hidden": published.hidden,
    }


def _same_school(obj: Any, domain: Domain, field: str) -> None:
    if obj is not None and obj.school_id != domain.school_id:
        raise InvalidInput(f"{field} does not exist.", code="does_not_exist", field=field)


def _check_series(series: CourseSeries | None, domain: Domain) -> None:
    _same_school(series, domain, "course_series_id")
    if series is not None and series.domain_id != domain.pk:
        raise InvalidInput(
            "course_series_id does not exist on this domain.",
            code="does_not_exist",
            field="course_series_id",
        )


def _check_window(starts: datetime | None, ends: datetime | None) -> None:
    if starts is not None and ends is not None and ends <= starts:
        raise InvalidInput(
            "registration_ends_at must be after registration_starts_at.",
            code=CatalogErrorCode.REGISTRATION_WINDOW,
            field="registration_ends_at",
        )


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (links such as ``US/Pacific`` too), else 400."""
    if not is_time_zone(name):
        raise InvalidInput(
            f"{name!r} is not an IANA time zone.",
            code=CatalogErrorCode.INVALID_TIMEZONE,
            field="timezone",
        )
    return name


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        f"Something else is published on this domain as {slug!r}.",
        code=CatalogErrorCode.PUBLISHED_SLUG_TAKEN,
        field="slug",
    )


def _insert(publication: models.Model, *, published: dict[str, Any], field: str) -> None:
    """Save a new publication; 409 naming ``field`` when the thing is already published on
    the domain, else 409 naming ``slug``. The unique constraints decide (no racy pre-check);
    which one failed is read back after the fact."""
    try:
        with transaction.atomic():
            publication.save(force_insert=True)
    except IntegrityError:
        model = type(publication)
        if model.objects.filter(domain=publication.domain, **published).exists():
            raise Conflict(
                "It is already published on this domain.",
                code=CatalogErrorCode.ALREADY_PUBLISHED,
                field=field,
            ) from None
        raise _slug_taken(publication.slug) from None


# --- course series ---------------------------------------------------------------------------


def course_series_create(*, domain: Domain, title: str, description: str = "") -> CourseSeries:
    """Create a course series on a domain."""
    return CourseSeries.objects.create(
        school=domain.school, domain=domain, title=title, description=description or ""
    )


def course_series_update(*, course_series: CourseSeries, **fields: Any) -> CourseSeries:
    """Change the given fields."""
    if "description" in fields and fields["description"] is None:
        fields["description"] = ""
    for name, value in fields.items():
        setattr(course_series, name, value)
    course_series.save()
    return course_series


def course_series_delete(*, course_series: CourseSeries) -> None:
    """Delete a series; its published courses stay published, outside any series."""
    course_series.delete()


# --- published courses -----------------------------------------------------------------------


@transaction.atomic
def course_publish(
    *,
    domain: Domain,
    course: Course,
    slug: str | None = None,
    course_series: CourseSeries | None = None,
    registration_starts_at: datetime | None = None,
    registration_ends_at: datetime | None = None,
    **fields: Any,
) -> PublishedCourse:
    """Publish a course on a domain (slug default: the course's) and emit
    ``course.published``. 400 for another school's course or series; 409 when the course is
    already published there or the slug is taken on the domain."""
    _same_school(course, domain, "course_id")
    _check_series(course_series, domain)
    _check_window(registration_starts_at, registration_ends_at)
    if fields.get("timezone") is not None:
        check_timezone(fields["timezone"])
    published = PublishedCourse(
        school=domain.school,
        domain=domain,
        course=course,
        slug=slug or course.slug,
        course_series=course_series,
        registration_starts_at=registration_starts_at,
        registration_ends_at=registration_ends_at,
        **{name: value for name, value in fields.items() if value is not None},
    )
    _insert(published, published={"course": course}, field="course_id")
    published_course_search_refresh(course=course)
    emit(domain.school, "course.published", published_course_payload(published))
    return published


@transaction.atomic
def published_course_update(*, published_course: PublishedCourse, **fields: Any) -> PublishedCourse:
    """Change how a course is shown (PUT and PATCH alike). 409 when the slug is taken."""
    published = PublishedCourse.objects.select_for_update().get(pk=published_course.pk)
    if "course_series" in fields:
        _check_series(fields["course_series"], published.domain)
    if fields.get("slug") in ("", None):
        fields.pop("slug", None)
    if fields.get("search_keywords", "") is None:
        fields["search_keywords"] = ""
    if fields.get("timezone", "UTC") is None:
        fields.pop("timezone")
    if "timezone" in fields:
        check_timezone(fields["timezone"])
    for name, value in fields.items():
        setattr(published, name, value)
    _check_window(published.registration_starts_at, published.registration_ends_at)
    with conflict_on_duplicate("catalog_pubcourse_slug_ci", _slug_taken(published.slug)):
        published.save()
    if "search_keywords" in fields:
        published_course_search_refresh(course=published.course)
    return published


@transaction.atomic
def course_unpublish(*, published_course: PublishedCourse) -> None:
    """Take a course off a domain and emit ``course.unpublished``."""
    payload = published_course_payload(published_course)
    PublishedCourse.objects.filter(pk=published_course.pk).delete()
    emit(published_course.school, "course.unpublished", payload)


# --- published paths -------------------------------------------------------------------------


@transaction.atomic
def path_publish(
    *, domain: Domain, path: Path, slug: str | None = None, hidden: bool = False
) -> PublishedPath:
    """Publish a path on a domain (slug default: the path's). 400 for another school's path;
    409 when it is already published there or the slug is taken on the domain."""
    _same_school(path, domain, "path_id")
    published = PublishedPath(
        school=domain.school,
        domain=domain,
        path=path,
        slug=slug or path.slug,
        hidden=bool(hidden),
    )
    _insert(published, published={"path": path}, field="path_id")
    published_path_search_refresh(path=path)
    return published


@transaction.atomic
def published_path_update(*, published_path: PublishedPath, **fields: Any) -> PublishedPath:
    """Change how a path is shown. 409 when the slug is taken on the domain."""
    published = PublishedPath.objects.select_for_update().get(pk=published_path.pk)
    if fields.get("slug") in ("", None):
        fields.pop("slug", None)
    for name, value in fields.items():
        setattr(published, name, value)
    with conflict_on_duplicate("catalog_pubpath_slug_ci", _slug_taken(published.slug)):
        published.save()
    return published


def path_unpublish(*, published_path: PublishedPath) -> None:
    """Take a path off a domain."""
    PublishedPath.objects.filter(pk=published_path.pk).delete()
