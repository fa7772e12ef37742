"""Error codes of the webhooks app (clients switch on these)."""

from enum import StrEnum


class WebhookErrorCode(StrEnum):
    UNSAFE_TARGET_URL = "unsafe_target_url"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    CONFLICTING_EVENT_FILTERS = "conflicting_event_filters"
    INVALID_SECRET = "invalid_secret"
    INCOMPLETE_BASIC_AUTH = "incomplete_basic_auth"
    INVALID_SINCE = "invalid_since"
    WEBHOOK_DELETING = "webhook_deleting"
