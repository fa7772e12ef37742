"""Error codes the core plumbing answers with (clients switch on these)."""

from enum import StrEnum


class CoreErrorCode(StrEnum):
    INVALID = "invalid"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    MISSING_SCOPE = "missing_scope"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    REQUEST_TOO_LARGE = "request_too_large"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_PATH_MISMATCH = "idempotency_key_path_mismatch"
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency_key_in_progress"
    DUPLICATE_KEY = "duplicate_key"
    TOO_MANY_METADATA_KEYS = "too_many_metadata_keys"
    METADATA_KEY_TOO_LONG = "metadata_key_too_long"
    METADATA_TOO_DEEP = "metadata_too_deep"
    METADATA_TOO_LARGE = "metadata_too_large"
    DATABASE_BUSY = "database_busy"
    SERVER_ERROR = "server_error"
