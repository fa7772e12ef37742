"""The shape of a catalogue entry."""

from dataclasses import dataclass
from typing import Any

PING = "ping"


@dataclass(frozen=True)
class EventType:
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
