"""Field helpers shared by serializers."""

from datetime import UTC, datetime


def format_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z``, as every API time is (the REST_FRAMEWORK format)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
