"""Error codes of the schools app."""

from enum import StrEnum


class SchoolErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    IDENTITY_SHARED = "identity_shared_with_other_schools"
    USER_IN_OTHER_SCHOOLS = "user_in_other_schools"
    USER_ANONYMIZED = "user_anonymized"
    USER_SUSPENDED = "user_suspended"
    INVALID_CREDENTIALS = "invalid_credentials"
    SCHOOL_REQUIRED = "school_required"
    TOKEN_INVALID = "token_invalid"
    TOO_MANY_METADATA_KEYS = "too_many_metadata_keys"
    UNKNOWN_SCOPE = "unknown_scope"
