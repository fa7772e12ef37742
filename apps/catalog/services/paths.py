"""Writes of paths (ordered courses, Coursepath's programs), their items, and bundles."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import Bundle, Course, Path, PathItem
from apps.catalog.services import ordering
from apps.catalog.services.courses import free_slug, labels_for
from apps.catalog.services.search import published_path_search_refresh
from apps.core.errors import Conflict, InvalidInput, NotFound, conflict_on_duplicate
from apps.core.events import emit
from apps.core.html import sanitize_html
from apps.core.money import is_currency_code
from apps.schools.models import School


def _path_slug_taken(slug: str) -> Conflict:
    return Conflict(
        f"A path with the slug {slug!r} already exists.",
        code=CatalogErrorCode.PATH_SLUG_TAKEN,
        field="slug",
    )


def _clean_path(fields: dict[str, Any]) -> dict[str, Any]:
    if "long_description_html" in fields:
        fields["long_description_html"] = sanitize_html(fields["long_description_html"] or "")
    for name in ("short_description", "search_keywords"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@transaction.atomic
def path_create(
    *,
    school: School,
    title: str,
    slug: str | None = None,
    labels: Iterable[str] | None = None,
    **fields: Any,
) -> Path:
    """Create a path; without a slug one is made from the title. 409 when the slug is
    another path's (in any letter case)."""
    fields = _clean_path(fields)
    chosen = slug or free_slug(Path, school=school, title=title, fallback="path")
    with conflict_on_duplicate("catalog_path_slug_ci", _path_slug_taken(chosen)):
        path = Path.objects.create(school=school, title=title, slug=chosen, **fields)
    if labels is not None:
        path.labels.set(labels_for(school=school, names=labels))
    return path


@transaction.atomic
def path_update(*, path: Path, labels: Iterable[str] | None = None, **fields: Any) -> Path:
    """Change the given fields (PUT and PATCH alike); the path's publications are re-indexed
    for search. 409 when the new slug is taken."""
    path = Path.objects.select_for_update().get(pk=path.pk)
    fields = _clean_path(fields)
    if fields.get("slug") in ("", None):
        fields.pop("slug", None)
    changed = [name for name, value in fields.items() if getattr(path, name) != value]
    for name in changed:
        setattr(path, name, fields[name])
    if changed:
        with conflict_on_duplicate("catalog_path_slug_ci", _path_slug_taken(path.slug)):
            path.save(update_fields=[*changed, "updated_at"])
    if labels is not None:
        path.labels.set(labels_for(school=path.school, names=labels))
        if not changed:
            path.save(update_fields=["updated_at"])
    published_path_search_refresh(path=path)
    return path


def path_delete(*, path: Path) -> None:
    """Delete a path; its items and its publications on domains go with it."""
    Path.objects.filter(pk=path.pk).delete()


def _path_course_taken() -> Conflict:
    return Conflict(
        "The path already has this course.",
        code=CatalogErrorCode.PATH_COURSE_TAKEN,
        field="course_id",
    )


def path_item_payload(item: PathItem) -> dict[str, Any]:
    """The data of ``path.item.created`` and ``path.item.updated``."""
    return {
        "id": item.id,
        "path": {"id": item.path_id, "title": item.path.title},
        "course": {"id": item.course_id, "title": item.course.title},
        "slug": item.slug,
        "order": item.order,
    }


@transaction.atomic
def path_item_create(
    *, path: Path, course: Course, order: int | None = None, slug: str | None = None
) -> PathItem:
    """Add a course to a path at position ``order`` (1 to n + 1, default the end), moving the
    items from there on one down. 400 when the course is another school's; 409 when the
    path already has it."""
    if course.school_id != path.school_id:
        raise InvalidInput("course_id does not exist.", code="does_not_exist", field="course_id")
    path = Path.objects.select_for_update().get(pk=path.pk)
    siblings = PathItem.objects.filter(path=path)
    position = ordering.make_room(siblings, order=order or siblings.count() + 1)
    item = PathItem(
        school=path.school, path=path, course=course, slug=slug or course.slug, order=position
    )
    with conflict_on_duplicate("catalog_pathitem_course", _path_course_taken()):
        item.save(force_insert=True)
    path.save(update_fields=["updated_at"])
    emit(path.school, "path.item.created", path_item_payload(item))
    return item


def _locked_path_and_item(path_item: PathItem) -> tuple[Path, PathItem]:
    """The item's path locked for this transaction (moves in one path run one at a time),
    and the item as it is now; 404 when a concurrent request removed it meanwhile."""
    path = Path.objects.select_for_update().get(pk=path_item.path_id)
    item = PathItem.objects.filter(pk=path_item.pk, path=path).first()
    if item is None:
        raise NotFound("No such path item.")
    return path, item


@transaction.atomic
def path_item_delete(*, path_item: PathItem) -> None:
    """Remove a course from its path and close the gap it leaves (the items after it move
    up one). 404 when the item is already gone."""
    path, item = _locked_path_and_item(path_item)
    PathItem.objects.filter(pk=item.pk).delete()
    ordering.close_gap(PathItem.objects.filter(path=path), order=item.order)
    path.save(update_fields=["updated_at"])


@transaction.atomic
def path_item_update(
    *,
    path_item: PathItem,
    order: int | None = None,
    slug: str | None = None,
    course: Course | None = None,
) -> PathItem:
    """Change the given fields (PUT and PATCH alike): ``order`` moves the item to that
    position (1 to n), shifting the items between; ``course`` puts another course of the
    school in its place. 400 for a position out of range or another school's course, 409
    when the path already has the course, 404 when the item is already gone."""
    path, item = _locked_path_and_item(path_item)
    if course is not None and course.school_id != path.school_id:
        raise InvalidInput("course_id does not exist.", code="does_not_exist", field="course_id")
    fields = {name: value for name, value in (("slug", slug), ("course", course)) if value}
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    moved = order is not None and order != item.order
    if moved:
        ordering.move(PathItem.objects.filter(path=path), item, order=order)
    if changed or moved:
        with conflict_on_duplicate("catalog_pathitem_course", _path_course_taken()):
            item.save(update_fields=[*changed, "updated_at"])
        path.save(update_fields=["updated_at"])
        emit(path.school, "path.item.updated", path_item_payload(item))
    return item


# --- bundles ---------------------------------------------------------------------------------


def _price_columns(price: tuple[int, str] | None) -> dict[str, Any]:
    """A price ``(minor units, currency)`` or None (not for sale) as the bundle's columns."""
    if price is None:
        return {"price_cents": None, "currency_code": ""}
    cents, currency = price
    if not is_currency_code(currency) or cents < 0:
        raise InvalidInput(
            "price needs a non-negative amount and an ISO 4217 currency_code.",
            code=CatalogErrorCode.PRICE_INCOMPLETE,
            field="price",
        )
    return {"price_cents": cents, "currency_code": currency}


def _check_courses(school: School, courses: Iterable[Course]) -> list[Course]:
    courses = list(dict.fromkeys(courses))
    if any(course.school_id != school.pk for course in courses):
        raise InvalidInput(
            "course_ids: a course does not exist.", code="does_not_exist", field="course_ids"
        )
    return courses


@transaction.atomic
def bundle_create(
    *,
    school: School,
    title: str,
    description: str = "",
    courses: Iterable[Course] = (),
    price: tuple[int, str] | None = None,
) -> Bundle:
    """Create a bundle of the school's courses; ``price`` is ``(minor units, currency)`` or
    None (not for sale)."""
    columns = _price_columns(price)
    chosen = _check_courses(school, courses)
    bundle = Bundle.objects.create(
        school=school, title=title, description=description or "", **columns
    )
    bundle.courses.set(chosen)
    return bundle


_UNSET = object()


@transaction.atomic
def bundle_update(
    *,
    bundle: Bundle,
    courses: Iterable[Course] | None = None,
    price: Any = _UNSET,
    **fields: Any,
) -> Bundle:
    """Change the given fields; ``courses`` replaces the set, ``price`` is ``(minor units,
    currency)`` or None, which takes the bundle off sale."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if "description" in fields and fields["description"] is None:
        fields["description"] = ""
    if price is not _UNSET:
        fields.update(_price_columns(price))
    for name, value in fields.items():
        setattr(bundle, name, value)
    bundle.save()
    if courses is not None:
        bundle.courses.set(_check_courses(bundle.school, courses))
    return bundle


def bundle_delete(*, bundle: Bundle) -> None:
    """Delete a bundle (its courses stay)."""
    Bundle.objects.filter(pk=bundle.pk).delete()
