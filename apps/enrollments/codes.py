"""Error codes of the enrollments app."""

from enum import StrEnum


class EnrollmentErrorCode(StrEnum):
    NOT_A_MEMBER = "user_not_in_school"
    USER_SUSPENDED = "user_suspended"
    REGISTRATION_CLOSED = "registration_closed"
    EXPIRES_BEFORE_ENROLLED = "expires_before_enrolled"
    PURCHASE_INVALID = "purchase_invalid"
