"""Error codes of the catalog app."""

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    COURSE_SLUG_TAKEN = "course_slug_taken"
    ORDER_OUT_OF_RANGE = "order_out_of_range"
    CONTENT_MISMATCH = "content_does_not_match_type"
    DRIP_CONFLICT = "drip_schedule_conflict"
    ANSWERS_INVALID = "answers_invalid"
    QUESTION_PARENT = "question_parent_invalid"
    CASE_SENSITIVE_FILL_IN_ONLY = "case_sensitive_fill_in_only"
    IN_USE = "in_use"
    CONTENT_URL_REFUSED = "content_url_refused"
    ASSET_SOURCE_REQUIRED = "asset_source_required"
    SESSION_PARENT = "ilt_session_parent_invalid"
    NOT_LIVE_TRAINING = "lesson_not_live_training"
    NOT_FOR_MULTI_SESSION_CHILD = "not_for_multi_session_child"
    CALENDAR_PROVIDER_ONLY = "calendar_provider_only"
    SESSION_ENDS_BEFORE_START = "session_ends_before_start"
    INSTRUCTOR_EMAIL_INVALID = "instructor_email_invalid"
    PATH_SLUG_TAKEN = "path_slug_taken"
    PATH_COURSE_TAKEN = "path_course_taken"
    PRICE_INCOMPLETE = "price_incomplete"
    PUBLISHED_SLUG_TAKEN = "published_slug_taken"
    ALREADY_PUBLISHED = "already_published"
    REGISTRATION_WINDOW = "registration_window_invalid"
    INVALID_TIMEZONE = "invalid_timezone"
