from apps.catalog.api.content import AssetViewSet, WebPackageViewSet
from apps.catalog.api.courses import CourseViewSet, LabelViewSet
from apps.catalog.api.lessons import ContentItemViewSet, LessonViewSet
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

urlpatterns = router.urls
