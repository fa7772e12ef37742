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
    # Quiz attempts
    QUIZ_NOT_IN_COURSE = "quiz_not_in_course"
    LESSON_REQUIRED = "lesson_required"
    LESSON_NOT_FOR_QUIZ = "lesson_not_for_quiz"
    MAX_ATTEMPTS_REACHED = "max_attempts_reached"
    ATTEMPT_ALREADY_SUBMITTED = "attempt_already_submitted"
    ATTEMPT_NOT_SUBMITTED = "attempt_not_submitted"
    QUESTION_NOT_IN_ATTEMPT = "question_not_in_attempt"
    RESPONSE_INCORRECT = "quiz_response_incorrect"
    ANSWER_NOT_MANUAL = "answer_not_manually_graded"
    POINTS_OUT_OF_RANGE = "points_out_of_range"
    NOT_OWN_ATTEMPT = "not_own_attempt"
    USER_REQUIRED = "user_required"
    ATTEMPT_TIMES_INVALID = "attempt_times_invalid"
    # Offline sync.
    SYNC_ITEM_KIND = "sync_item_kind_invalid"
    COURSE_ACCESS_REQUIRED = "course_access_required"
    LESSON_NOT_RELEASED = "lesson_not_released"
    PREVIOUS_LESSONS_INCOMPLETE = "previous_lessons_incomplete"
    SCORE_ABOVE_MAX_SCORE = "score_above_max_score"
    LESSON_NOT_IN_COURSE = "lesson_not_in_course"
    SECTION_HAS_NO_PROGRESS = "section_has_no_progress"
    NOT_PUBLISHED_FOR_INVITE = "not_published_for_invite"
