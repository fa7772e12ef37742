"""The registry of event types: the names code may pass to ``emit``.

Each app declares the events it emits as ``EventType`` values in its ``event_types``
module and registers them in its ``AppConfig.ready``. ``emit`` refuses a name nobody
registered, so the list of registered types is exactly what the code can emit: the
webhooks app advertises it (``GET /api/v1/webhooks/event-types``) and endpoints subscribe
to it. An app adds its types in the same change that makes it emit them.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EventType:
    """One event: its dotted name, Skilljar alias, and the JSON Schema and a sample of its data."""

    name: str
    description: str
    schema: dict[str, Any]
    sample: dict[str, Any]
    alias: str | None = None
    subscribable: bool = True

    @property
    def slug(self) -> str:
        """``sample-{slug}``: Skilljar's (``course-enrollment``) or the dotted name's."""
        if self.alias:
            return self.alias.lower().replace("_", "-")
        return self.name.replace(".", "-").replace("_", "-")


class UnregisteredEventType(LookupError):
    """``emit`` was called with a name no app registered (a programming error)."""


_registry: dict[str, EventType] = {}


def register(*types: EventType) -> None:
    """Add event types; ImproperlyConfigured when a name or alias is already taken by another."""
    for event_type in types:
        known = _registry.get(event_type.name)
        if known is not None and known != event_type:
            raise ImproperlyConfigured(f"event type {event_type.name!r} is registered twice")
        clash = event_type.alias and next(
            (t for t in _registry.values() if t.alias == event_type.alias and t != event_type),
            None,
        )
        if clash:
            raise ImproperlyConfigured(
                f"alias {event_type.alias!r} of {event_type.name!r} is {clash.name!r}'s already"
            )
        _registry[event_type.name] = event_type


def registered() -> tuple[EventType, ...]:
    """Every registered event type, in registration order."""
    return tuple(_registry.values())


def get(name: str) -> EventType | None:
    """The registered type called ``name``; None when there is none."""
    return _registry.get(name)


def require(name: str) -> EventType:
    """The registered type called ``name``; UnregisteredEventType when there is none."""
    found = _registry.get(name)
    if found is None:
        raise UnregisteredEventType(
            f"event type {name!r} is not registered: declare it in the emitting app's "
            "event_types module and register it in its AppConfig.ready"
        )
    return found
