from django.urls import re_path

from apps.catalog.api.content import AssetViewSet, WebPackageViewSet
from apps.catalog.api.courses import CourseViewSet, LabelViewSet
from apps.catalog.api.lessons import ContentItemViewSet, LessonViewSet
from apps.catalog.api.live import (
    IltInstructorViewSet,
    IltMultiSessionEventViewSet,
    IltSessionViewSet,
    SchoolEventsView,
    ViltSessionEventViewSet,
)
from apps.catalog.api.paths import BundleViewSet, PathItemViewSet, PathViewSet
from apps.catalog.api.publishing import (
    CourseSeriesPublishedCourseViewSet,
    CourseSeriesViewSet,
    PublishedCourseViewSet,
    PublishedPathViewSet,
)
from apps.catalog.api.quizzes import QuestionBankViewSet, QuestionViewSet, QuizViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("web-packages", WebPackageViewSet, basename="web-package")
router.register("courses", CourseViewSet, basename="course")
router.register("labels", LabelViewSet, basename="label")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("quizzes", QuizViewSet, basename="quiz")
router.register("quiz-questions", QuestionViewSet, basename="quiz-question")
router.register("question-banks", QuestionBankViewSet, basename="question-bank")
router.register(
    r"lessons/(?P<lesson_id>[^/]+)/content-items", ContentItemViewSet, basename="content-item"
)
router.register("ilt-instructors", IltInstructorViewSet, basename="ilt-instructor")
router.register(
    "ilt-multi-session-events", IltMultiSessionEventViewSet, basename="ilt-multi-session-event"
)
router.register("ilt-sessions", IltSessionViewSet, basename="ilt-session")
router.register("vilt-session-events", ViltSessionEventViewSet, basename="vilt-session-event")
router.register("paths", PathViewSet, basename="path")
router.register(r"paths/(?P<path_id>[^/]+)/path-items", PathItemViewSet, basename="path-item")
router.register("bundles", BundleViewSet, basename="bundle")
DOMAIN = r"domains/(?P<domain_name>[^/]+)"
router.register(f"{DOMAIN}/published-courses", PublishedCourseViewSet, basename="published-course")
router.register(f"{DOMAIN}/published-paths", PublishedPathViewSet, basename="published-path")
router.register(f"{DOMAIN}/course-series", CourseSeriesViewSet, basename="course-series")
router.register(
    f"{DOMAIN}/course-series/(?P<course_series_id>[^/]+)/published-courses",
    CourseSeriesPublishedCourseViewSet,
    basename="course-series-published-course",
)

urlpatterns = [
    *router.urls,
    re_path(r"^school/events/?$", SchoolEventsView.as_view(), name="school-events"),
]
