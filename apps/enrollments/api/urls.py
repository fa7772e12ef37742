from apps.core.api.routers import OptionalSlashRouter
from apps.enrollments.api.enrollments import EnrollmentViewSet, PathEnrollmentViewSet

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

urlpatterns = router.urls
