"""How Lyceum writes times: ISO 8601 in UTC with ``Z`` (API bodies and event payloads)."""

import functools
import zoneinfo
from datetime import UTC, datetime


def format_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z``, as every API time is (the REST_FRAMEWORK format)."""
    if value is None:
        return None
    # isoformat zero-pads every year (strftime's %Y does not before 1000).
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every IANA name ``zoneinfo`` knows here, backward-compatible links (US/Pacific) too."""
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: object) -> bool:
    """Whether ``name`` is an IANA time zone name (the one rule the API and services share)."""
    return isinstance(name, str) and name in time_zone_names()
