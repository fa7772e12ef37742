"""Error codes of the enrollments app."""

from enum import StrEnum


class EnrollmentErrorCode(StrEnum):
    NOT_A_MEMBER = "user_not_in_school"
    USER_SUSPENDED = "user_suspended"
    REGISTRATION_CLOSED = "registration_closed"
    EXPIRES_BEFORE_ENROLLED = "expires_before_enrolled"
    PURCHASE_INVALID = "purchase_invalid"
    # Live-session registrations.
    ENROLLMENT_NOT_IN_SESSION_COURSE = "enrollment_not_in_session_course"
    ENROLLMENT_INACTIVE = "enrollment_inactive"
    SESSION_FULL = "session_full"
    SESSION_OVER = "session_over"
    # Certificates.
    CERTIFICATE_TEMPLATE_MISSING = "certificate_template_missing"
    CERTIFICATE_PLACEHOLDER_UNKNOWN = "certificate_placeholder_unknown"
    CERTIFICATE_REVOKED = "certificate_revoked"
    USER_NOT_IN_COURSE_SCHOOL = "user_not_in_course_school"
