"""Writes of courses and their labels."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils.text import slugify

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import Course, Label
from apps.catalog.services.search import published_course_search_refresh
from apps.core.errors import Conflict, conflict_on_duplicate
from apps.core.events import emit
from apps.core.html import sanitize_html
from apps.core.validators import label_key
from apps.schools.models import Member, School

COURSE_FIELDS = (
    "title",
    "short_description",
    "long_description_html",
    "enforce_sequential_navigation",
    "slug",
    "category",
    "level",
    "instructor",
    "thumbnail_url",
    "duration_hours",
)


def course_payload(course: Course) -> dict[str, Any]:
    """The event data of a course: what a subscriber needs to file it."""
    return {
        "id": course.id,
        "title": course.title,
        "slug": course.slug,
        "short_description": course.short_description,
        "labels": [label.name for label in course.labels.all()],
    }


def labels_for(*, school: School, names: Iterable[str]) -> list[Label]:
    """The school's labels of these names (created when new), matched in their compared
    form (``label_key``); a new label keeps the spelling it was first written with."""
    wanted: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            wanted.setdefault(label_key(name), name.strip())

    def existing() -> dict[str, Label]:
        return {label.key: label for label in Label.objects.filter(school=school, key__in=wanted)}

    found = existing()
    missing = [
        Label(school=school, name=name, key=key) for key, name in wanted.items() if key not in found
    ]
    if missing:
        Label.objects.bulk_create(missing, ignore_conflicts=True)
        found = existing()
    return [found[key] for key in wanted]


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        f"A course with the slug {slug!r} already exists.",
        code=CatalogErrorCode.COURSE_SLUG_TAKEN,
        field="slug",
    )


def free_slug(model: type[Model], *, school: School, title: str, fallback: str) -> str:
    """A slug made from the title, numbered (``-2``, ``-3``…) when another of the school's
    ``model`` rows has it in any letter case."""
    base = (slugify(title) or fallback)[:90]
    taken = set(
        model.objects.filter(school=school, slug__istartswith=base)
        .annotate(key=Lower("slug"))
        .values_list("key", flat=True)
    )
    slug, number = base, 2
    while slug.casefold() in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    if "long_description_html" in fields:
        fields["long_description_html"] = sanitize_html(fields["long_description_html"] or "")
    for name in ("category", "short_description"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    for name in ("level", "thumbnail_url"):  # not set: null, however it was sent
        if name in fields and not fields[name]:
            fields[name] = None
    return fields


@transaction.atomic
def course_create(
    *,
    school: School,
    title: str,
    short_description: str,
    enforce_sequential_navigation: bool,
    labels: Iterable[str] | None = None,
    slug: str | None = None,
    instructor: Member | None = None,
    duration_hours: Decimal | None = None,
    **fields: Any,
) -> Course:
    """Create a course; without a slug one is made from the title. 409 when the slug is
    another course's (in any letter case)."""
    fields = _clean(fields)
    chosen = slug or free_slug(Course, school=school, title=title, fallback="course")
    with conflict_on_duplicate("catalog_course_slug_ci", _slug_taken(chosen)):
        course = Course.objects.create(
            school=school,
            title=title,
            short_description=short_description,
            enforce_sequential_navigation=enforce_sequential_navigation,
            slug=chosen,
            instructor=instructor,
            duration_hours=duration_hours,
            **fields,
        )
    if labels is not None:
        course.labels.set(labels_for(school=school, names=labels))
    emit(school, "course.created", course_payload(course))
    return course


@transaction.atomic
def course_update(*, course: Course, labels: Iterable[str] | None = None, **fields: Any) -> Course:
    """Change the given fields (PUT and PATCH alike); 409 when the new slug is taken."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    fields = _clean(fields)
    if fields.get("slug") in ("", None):
        fields.pop("slug", None)
    changed = [name for name, value in fields.items() if getattr(course, name) != value]
    for name in changed:
        setattr(course, name, fields[name])
    if changed:
        with conflict_on_duplicate("catalog_course_slug_ci", _slug_taken(course.slug)):
            course.save(update_fields=[*changed, "updated_at"])
    labels_changed = False
    if labels is not None:
        new = labels_for(school=course.school, names=labels)
        labels_changed = {label.pk for label in new} != set(
            course.labels.values_list("pk", flat=True)
        )
        if labels_changed:
            course.labels.set(new)
    if changed or labels_changed:
        if not changed:
            course.save(update_fields=["updated_at"])
        emit(course.school, "course.updated", course_payload(course))
        published_course_search_refresh(course=course)
    return course
