from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.enrollments.api.analytics import CourseAnalyticsViewSet, LessonAnalyticsViewSet
from apps.enrollments.api.certificates import CertificateViewSet
from apps.enrollments.api.enrollments import EnrollmentViewSet, PathEnrollmentViewSet
from apps.enrollments.api.live import ViltSessionRegistrationViewSet

router = OptionalSlashRouter()
DOMAIN = r"domains/(?P<domain_name>[^/]+)"
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

urlpatterns = [
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
