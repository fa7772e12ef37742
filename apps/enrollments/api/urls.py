from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.enrollments.api.analytics import CourseAnalyticsViewSet, LessonAnalyticsViewSet
from apps.enrollments.api.assignments import AssignmentSubmissionViewSet, LessonSubmissionViewSet
from apps.enrollments.api.certificates import CertificateViewSet
from apps.enrollments.api.enrollments import EnrollmentViewSet, PathEnrollmentViewSet
from apps.enrollments.api.live import ViltSessionRegistrationViewSet
from apps.enrollments.api.members import (
    CourseMemberViewSet,
    MemberCourseViewSet,
    ProgramMemberViewSet,
)
from apps.enrollments.api.progress import (
    CourseUserViewSet,
    LessonProgressViewSet,
    ProgressSyncView,
    ProgressTokenViewSet,
    UserCourseProgressViewSet,
    UserCourseViewSet,
    UserLessonViewSet,
    UserPathEnrollmentViewSet,
    UserProgressViewSet,
    UserPublishedCourseViewSet,
)
from apps.enrollments.api.quizzes import (
    AssessmentResponseViewSet,
    CourseGradesViewSet,
    QuizAttemptStartViewSet,
    QuizAttemptViewSet,
)

router = OptionalSlashRouter()
DOMAIN = r"domains/(?P<domain_name>[^/]+)"
USER = r"users/(?P<user_id>[^/]+)"
router.register(
    f"{DOMAIN}/published-courses/(?P<published_course_id>[^/]+)/enrollments",
    EnrollmentViewSet,
    basename="enrollment",
)
router.register(
    f"{DOMAIN}/published-paths/(?P<published_path_id>[^/]+)/published-path-enrollments",
    PathEnrollmentViewSet,
    basename="path-enrollment",
)
router.register(
    "vilt-session-registrations",
    ViltSessionRegistrationViewSet,
    basename="vilt-session-registration",
)
router.register("certificates", CertificateViewSet, basename="certificate")
router.register(
    r"quizzes/(?P<quiz_id>[^/]+)/attempts", QuizAttemptStartViewSet, basename="quiz-attempt-start"
)
router.register(r"quiz-attempts", QuizAttemptViewSet, basename="quiz-attempt")
router.register(
    r"assessments/(?P<lesson_id>[^/]+)/responses",
    AssessmentResponseViewSet,
    basename="assessment-response",
)
router.register(r"courses/(?P<course_id>[^/]+)/grades", CourseGradesViewSet, basename="grades")
router.register(
    r"lessons/(?P<lesson_id>[^/]+)/submissions",
    LessonSubmissionViewSet,
    basename="lesson-submission",
)
router.register(
    "assignment-submissions", AssignmentSubmissionViewSet, basename="assignment-submission"
)
router.register("lesson-progress", LessonProgressViewSet, basename="lesson-progress")
router.register("progresstokens", ProgressTokenViewSet, basename="progress-token")
router.register(
    f"{USER}/published-courses/(?P<published_course_id>[^/]+)/lessons",
    UserLessonViewSet,
    basename="user-lesson",
)
router.register(
    f"{USER}/published-courses", UserPublishedCourseViewSet, basename="user-published-course"
)
router.register(
    f"{USER}/published-path-enrollments",
    UserPathEnrollmentViewSet,
    basename="user-path-enrollment",
)
router.register(f"{USER}/progress", UserProgressViewSet, basename="user-progress")
router.register(f"{USER}/courses", UserCourseViewSet, basename="user-course")
router.register(f"{USER}/courses", UserCourseProgressViewSet, basename="user-course-progress")
router.register(r"courses/(?P<course_id>[^/]+)/users", CourseUserViewSet, basename="course-user")
# Coursepath's members API (programs are paths).
router.register(
    r"courses/(?P<course_id>[^/]+)/members", CourseMemberViewSet, basename="course-member"
)
router.register(
    r"programs/(?P<path_id>[^/]+)/members", ProgramMemberViewSet, basename="program-member"
)
router.register(
    r"members/(?P<user_id>[^/]+)/courses", MemberCourseViewSet, basename="member-course"
)

urlpatterns = [
    re_path(r"^progress/sync/?$", ProgressSyncView.as_view(), name="progress-sync"),
    *router.urls,
    re_path(
        r"^courses/(?P<course_id>[^/]+)/analytics/?$",
        CourseAnalyticsViewSet.as_view({"get": "retrieve"}),
        name="course-analytics",
    ),
    re_path(
        r"^courses/(?P<course_id>[^/]+)/units/(?P<lesson_id>[^/]+)/analytics/?$",
        LessonAnalyticsViewSet.as_view({"get": "retrieve"}),
        name="course-unit-analytics",
    ),
]
