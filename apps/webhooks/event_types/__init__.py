"""The catalogue of webhook event types: the one place that names every event.

Each entry has its canonical dotted name (what services pass to ``emit``), the Skilljar
``event_type`` alias where Skilljar has one, a description, the JSON Schema of its
``data`` and a sample ``data``. An app that starts emitting a new event adds it here;
endpoints can subscribe only to names in this list (an empty list means every event,
catalogued or not). ``GET /api/v1/webhooks/event-types`` serves the list and
``GET /api/v1/webhooks/sample-{slug}`` a sample delivery per type.
"""

from apps.webhooks.event_types.base import PING, EventType
from apps.webhooks.event_types.catalogue import EVENT_TYPES

__all__ = [
    "EVENT_TYPES",
    "PING",
    "SUBSCRIBABLE_NAMES",
    "BY_ALIAS",
    "BY_NAME",
    "BY_SLUG",
    "EventType",
    "alias_of",
    "canonical",
]

BY_NAME: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}
BY_ALIAS: dict[str, EventType] = {t.alias: t for t in EVENT_TYPES if t.alias}
BY_SLUG: dict[str, EventType] = {t.slug: t for t in EVENT_TYPES}
# What a webhook may subscribe to: the dotted names, then Skilljar's aliases.
SUBSCRIBABLE_NAMES: list[str] = sorted(t.name for t in EVENT_TYPES if t.subscribable) + sorted(
    t.alias for t in EVENT_TYPES if t.alias
)


def canonical(name: str) -> str | None:
    """The dotted name for a dotted name or a Skilljar alias; None when unknown."""
    if name in BY_NAME and BY_NAME[name].subscribable:
        return name
    found = BY_ALIAS.get(name) or BY_ALIAS.get(name.upper())
    return found.name if found else None


def alias_of(name: str) -> str | None:
    """Skilljar's ``event_type`` for a dotted name, if it has one."""
    found = BY_NAME.get(name)
    return found.alias if found else None
