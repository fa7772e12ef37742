"""Segments: saved filters over a school's members, turned into one SQL query when read.

A segment's ``filters`` is a JSON object; every key present must hold (AND), and a list
matches any of its values (OR) unless said otherwise:

- ``tags``: tag names; ``tags_match``: ``"any"`` (default) or ``"all"``
- ``roles``: access levels (``learner``, ``instructor``, ``reporter``, ``admin``)
- ``user_roles``: user role ids (``rol_...``), built-in or custom
- ``status``: ``"active"`` or ``"suspended"``
- ``groups``: group ids (``grp_...``); ``domains``: domain names the member has access to
- ``signup_values``: ``[{"field_id": "suf_...", "value": "..."}]``, each must match
- ``countries``, ``companies``, ``departments``: exact values
- ``created_after``, ``created_before``: ISO 8601 times of joining the school
"""

from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Member,
    School,
    Segment,
)

_LIST_KEYS = (
    "tags",
    "roles",
    "user_roles",
    "groups",
    "domains",
    "countries",
    "companies",
    "departments",
)
_KNOWN = {*_LIST_KEYS, "tags_match", "status", "signup_values", "created_after", "created_before"}


MAX_VALUES = 200


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(
        f"filters: {message}", code=SchoolErrorCode.SEGMENT_FILTER_INVALID, field="filters"
    )


def segment_filters_clean(filters: Any) -> dict[str, Any]:
    """Check a segment's filter object; 400 ``segment_filter_invalid`` naming the problem."""
    if not isinstance(filters, dict):
        raise _invalid("must be a JSON object.")
    unknown = sorted(set(filters) - _KNOWN)
    if unknown:
        raise _invalid(f"unknown key(s) {', '.join(unknown)}.")
    for key in _LIST_KEYS:
        if key in filters:
            values = filters[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise _invalid(f"{key} must be a list of strings.")
            if len(values) > MAX_VALUES:
                raise _invalid(f"{key} may hold at most {MAX_VALUES} values.")
    bad_roles = set(filters.get("roles", [])) - set(Member.Role.values)
    if bad_roles:
        raise _invalid(f"unknown role(s) {', '.join(sorted(bad_roles))}.")
    if filters.get("tags_match", "any") not in ("any", "all"):
        raise _invalid('tags_match must be "any" or "all".')
    if "status" in filters and filters["status"] not in Member.Status.values:
        raise _invalid('status must be "active" or "suspended".')
    answers = filters.get("signup_values", [])
    if not isinstance(answers, list) or not all(
        isinstance(a, dict)
        and isinstance(a.get("field_id"), str)
        and isinstance(a.get("value"), str)
        for a in answers
    ):
        raise _invalid('signup_values must be a list of {"field_id", "value"} objects.')
    for key in ("created_after", "created_before"):
        if key in filters:
            moment = parse_datetime(str(filters[key]))
            if moment is None or moment.tzinfo is None:
                raise _invalid(f"{key} must be an ISO 8601 time with a time zone.")
    return filters


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"A segment named {name!r} already exists.",
        code=SchoolErrorCode.SEGMENT_NAME_TAKEN,
        field="name",
    )


@transaction.atomic
def segment_create(
    *, school: School, name: str, filters: dict[str, Any], description: str = ""
) -> Segment:
    """Save a filter as a segment (name unique in the school)."""
    filters = segment_filters_clean(filters)
    with conflict_on_duplicate("schools_segment_name_ci", _name_taken(name)):
        return Segment.objects.create(
            school=school, name=name, filters=filters, description=description
        )


@transaction.atomic
def segment_update(*, segment: Segment, **fields: Any) -> Segment:
    """Change a segment's name, description or filters (partial)."""
    if "filters" in fields:
        fields["filters"] = segment_filters_clean(fields["filters"])
    changed = [name for name in ("name", "description", "filters") if name in fields]
    for name in changed:
        setattr(segment, name, fields[name])
    if changed:
        with conflict_on_duplicate("schools_segment_name_ci", _name_taken(segment.name)):
            segment.save(update_fields=[*changed, "updated_at"])
    return segment


def segment_delete(*, segment: Segment) -> None:
    """Delete a saved segment (it selects people; deleting it changes no one)."""
    segment.delete()
