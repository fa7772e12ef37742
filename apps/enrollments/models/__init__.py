"""Who learns what: enrollments in published courses and paths, progress, quiz attempts,
assignment submissions.

A package split by subdomain; every model is importable from ``apps.enrollments.models``.
"""

from apps.enrollments.models.assignments import (
    AssignmentGrade,
    AssignmentSubmission,
    SubmissionState,
)
from apps.enrollments.models.certificates import Certificate, CertificateTemplate
from apps.enrollments.models.enrollments import Enrollment, EnrollmentSource, PathEnrollment
from apps.enrollments.models.live import ViltSessionRegistration
from apps.enrollments.models.progress import (
    CourseProgress,
    LessonProgress,
    ProgressToken,
    SuccessStatus,
)
from apps.enrollments.models.purchase import PurchaseState
from apps.enrollments.models.quizzes import AttemptAnswer, AttemptStatus, QuizAttempt
from apps.enrollments.models.sync import SyncReceipt

__all__ = [
    "AssignmentGrade",
    "AssignmentSubmission",
    "SubmissionState",
    "Certificate",
    "CertificateTemplate",
    "AttemptAnswer",
    "AttemptStatus",
    "CourseProgress",
    "Enrollment",
    "EnrollmentSource",
    "LessonProgress",
    "PathEnrollment",
    "ProgressToken",
    "PurchaseState",
    "QuizAttempt",
    "SuccessStatus",
    "ViltSessionRegistration",
    "SyncReceipt",
]
