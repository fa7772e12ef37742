"""The webhook event catalogue: the registered event types, as integrators see them.

Each app declares the events it emits (``apps/<app>/event_types``) and registers them in
the core registry (``apps.core.event_types``); ``emit`` refuses any other name. This module
reads that registry, so ``GET /api/v1/webhooks/event-types`` advertises exactly what the
code sends, ``GET /api/v1/webhooks/sample-{slug}`` serves a sample per type, and endpoints
subscribe by dotted name or Skilljar alias (an empty list means every event).
"""

from apps.core.event_types import EventType, get, registered
from apps.webhooks.event_types.ping import PING

__all__ = [
    "PING",
    "EventType",
    "advertised",
    "alias_of",
    "by_alias",
    "by_slug",
    "canonical",
    "get",
    "subscribable_names",
]


def advertised() -> tuple[EventType, ...]:
    """Every event type an endpoint can receive (the registered ones)."""
    return registered()


def subscribable_names() -> list[str]:
    """What a webhook may subscribe to: the dotted names, then Skilljar's aliases."""
    types = registered()
    return sorted(t.name for t in types if t.subscribable) + sorted(
        t.alias for t in types if t.alias
    )


def by_alias(alias: str) -> EventType | None:
    """The type Skilljar calls ``alias`` (any case); None when there is none."""
    wanted = alias.upper()
    return next((t for t in registered() if t.alias == wanted), None)


def by_slug(slug: str) -> EventType | None:
    """The type whose sample lives at ``sample-{slug}``; None when there is none."""
    return next((t for t in registered() if t.slug == slug), None)


def canonical(name: str) -> str | None:
    """The dotted name for a subscribable dotted name or a Skilljar alias; None when unknown."""
    found = get(name)
    if found is not None and found.subscribable:
        return name
    found = by_alias(name)
    return found.name if found else None


def alias_of(name: str) -> str | None:
    """Skilljar's ``event_type`` for a dotted name, if it has one."""
    found = get(name)
    return found.alias if found else None


def __getattr__(name: str) -> list[str]:
    """``SUBSCRIBABLE_NAMES`` (named in the schema's ENUM_NAME_OVERRIDES), read when asked:
    the registry is complete only once every app is ready."""
    if name == "SUBSCRIBABLE_NAMES":
        return subscribable_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
