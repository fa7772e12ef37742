"""How Lyceum writes times: ISO 8601 in UTC with ``Z`` (API bodies and event payloads)."""

from datetime import UTC, datetime


def format_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z``, as every API time is (the REST_FRAMEWORK format)."""
    if value is None:
        return None
    # isoformat zero-pads every year (strftime's %Y does not before 1000).
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
