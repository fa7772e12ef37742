"""Writes of collections and spaces.

Descriptions of spaces are HTML, sanitised on the way in like the catalog's
(``apps.core.html.sanitize_html``). A space's collection and course must be its school's.

Deleting a space removes it when it holds nothing, and soft-deletes it (``deleted_at``,
restorable by staff in the admin) when it holds content. What counts as content is asked of
the checks registered with ``register_space_content``: the posts item registers
``lambda space: space.posts.exists()`` from its ``AppConfig.ready``-time import, so this
module never has to know what a post is.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course
from apps.community.models import Collection, Space
from apps.core.errors import InvalidInput
from apps.core.html import sanitize_html
from apps.schools.models import School

COLLECTION_FIELDS = ("title", "description")
SPACE_FIELDS = (
    "title",
    "description",
    "collection",
    "visibility",
    "is_invitation_required",
    "course",
)

# Checks that answer whether a space holds content worth keeping (posts, comments …).
_content_checks: list[Callable[[Space], bool]] = []


def register_space_content(check: Callable[[Space], bool]) -> None:
    """Declare that a space for which ``check(space)`` is true holds content: deleting it
    then soft-deletes it (restorable) instead of removing it."""
    if check not in _content_checks:
        _content_checks.append(check)


def space_has_content(space: Space) -> bool:
    """Whether any registered check finds content in ``space``."""
    return any(check(space) for check in _content_checks)


def _title(value: Any) -> str:
    title = (value or "").strip() if isinstance(value, str) else ""
    if not title:
        raise InvalidInput("title: may not be blank.", code="blank", field="title")
    return title


def _same_school(school: School, name: str, row: Any) -> None:
    if row is not None and row.school_id != school.pk:
        raise InvalidInput(f"{name}_id does not exist.", code="does_not_exist", field=f"{name}_id")


@transaction.atomic
def collection_create(*, school: School, title: str, description: str = "") -> Collection:
    """A new collection of the school; 400 ``blank`` for an empty title."""
    collection = Collection(school=school, title=_title(title), description=description or "")
    collection.save(force_insert=True)
    return collection


@transaction.atomic
def collection_update(*, collection: Collection, **fields: Any) -> Collection:
    """Change the given fields (PUT and PATCH alike)."""
    unknown = set(fields) - set(COLLECTION_FIELDS)
    if unknown:
        raise TypeError(f"collection_update() got unexpected fields {sorted(unknown)}")
    if "title" in fields:
        fields["title"] = _title(fields["title"])
    if "description" in fields:
        fields["description"] = fields["description"] or ""
    changed = [name for name, value in fields.items() if getattr(collection, name) != value]
    for name in changed:
        setattr(collection, name, fields[name])
    if changed:
        collection.save(update_fields=[*changed, "updated_at"])
    return collection


def _check_space_fields(school: School, fields: dict[str, Any]) -> dict[str, Any]:
    if "title" in fields:
        fields["title"] = _title(fields["title"])
    if "description" in fields:
        fields["description"] = sanitize_html(fields["description"] or "")
    if "visibility" in fields and fields["visibility"] not in Space.Visibility.values:
        raise InvalidInput(
            f"visibility: one of {', '.join(Space.Visibility.values)}.",
            code="invalid_choice",
            field="visibility",
        )
    _same_school(school, "collection", fields.get("collection"))
    _same_school(school, "course", fields.get("course"))
    return fields


@transaction.atomic
def space_create(
    *,
    school: School,
    title: str,
    description: str = "",
    collection: Collection | None = None,
    visibility: str = Space.Visibility.PUBLIC,
    is_invitation_required: bool = False,
    course: Course | None = None,
) -> Space:
    """A new space of the school; 400 for a blank title, an unknown visibility, or a
    collection or course of another school ("does not exist")."""
    fields = _check_space_fields(
        school,
        {
            "title": title,
            "description": description,
            "collection": collection,
            "visibility": visibility,
            "is_invitation_required": bool(is_invitation_required),
            "course": course,
        },
    )
    space = Space(school=school, **fields)
    space.save(force_insert=True)
    return space


@transaction.atomic
def space_update(*, space: Space, **fields: Any) -> Space:
    """Change the given fields (PUT and PATCH alike), with ``space_create``'s rules."""
    unknown = set(fields) - set(SPACE_FIELDS)
    if unknown:
        raise TypeError(f"space_update() got unexpected fields {sorted(unknown)}")
    fields = _check_space_fields(space.school, fields)
    changed = [name for name, value in fields.items() if getattr(space, name) != value]
    for name in changed:
        setattr(space, name, fields[name])
    if changed:
        space.save(update_fields=[*changed, "updated_at"])
    return space


@transaction.atomic
def space_delete(*, space: Space) -> bool:
    """Remove an empty space (True), or soft-delete one holding content (False): it leaves
    the API and can be restored with ``space_restore``."""
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space_has_content(space):
        if space.deleted_at is None:
            space.deleted_at = timezone.now()
            space.save(update_fields=["deleted_at", "updated_at"])
        return False
    space.delete()
    return True


@transaction.atomic
def space_restore(*, space: Space) -> Space:
    """Bring a soft-deleted space back, as it was (members included)."""
    if space.deleted_at is not None:
        space.deleted_at = None
        space.save(update_fields=["deleted_at", "updated_at"])
    return space
