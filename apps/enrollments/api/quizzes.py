"""Quiz attempts: ``quizzes/{quiz_id}/attempts`` (start), ``quiz-attempts`` (read, submit,
manual grading), ``assessments/{lesson_id}/responses`` (LearnWorlds) and
``courses/{course_id}/grades``.

A learner's own user token starts and submits its own attempts (``owner_write_actions``:
user tokens hold read scopes only); an API key acts for the person named by ``user_id``
and grades with ``write:enrollments``. What a learner sees of an attempt's results follows
the quiz's settings; staff see everything.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Course, Lesson, LessonType, Question, Quiz
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.core.throttling import check_person_rate
from apps.enrollments.api.acting import acting_person
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import AttemptStatus, CourseProgress, QuizAttempt
from apps.enrollments.selectors import quizzes as quiz_selectors
from apps.enrollments.services import quizzes as quiz_services
from apps.schools.models import User

# --- shapes ----------------------------------------------------------------------------------

_RESPONSE_SCHEMA = {
    "oneOf": [
        {"type": "string", "maxLength": 10000},
        {"type": "array", "items": {"type": "string", "maxLength": 10000}, "maxItems": 100},
    ],
    "nullable": True,
    "description": "An answer id (multiple choice), a list of answer ids (multiple answer) "
    "or the text typed (fill in the blank, free form).",
}


@extend_schema_field(_RESPONSE_SCHEMA)
class ResponseField(serializers.Field):
    """A learner's response to one question, in the form the grading service reads."""

    default_error_messages = {
        "invalid": "A response is a string, a list of strings or null.",
        "too_long": "A response holds at most 100 strings of 10000 characters.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if data is None:
            return None
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(item, str) for item in items):
            self.fail("invalid")
        if len(items) > 100 or any(len(item) > 10000 for item in items):
            self.fail("too_long")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ShownAnswerSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    answer_text = serializers.CharField(read_only=True)


class ShownQuestionSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    html = serializers.CharField(read_only=True)
    answers = ShownAnswerSerializer(
        many=True,
        read_only=True,
        help_text="The choices in this attempt's order (empty for fill in the blank and "
        "free form).",
    )


class ResultSerializer(serializers.Serializer):
    question_id = serializers.CharField(read_only=True)
    response = ResponseField(read_only=True)
    correct = serializers.BooleanField(read_only=True, allow_null=True)
    points = serializers.IntegerField(read_only=True, allow_null=True)
    max_points = serializers.IntegerField(read_only=True)
    manually_graded = serializers.BooleanField(read_only=True)
    feedback = serializers.CharField(read_only=True)
    correct_answers = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        allow_null=True,
        help_text="The right answer ids (or accepted texts); null when not shown.",
    )


class QuizAttemptSerializer(serializers.Serializer):
    """An attempt: what it gave, its state and grade, and the results the reader may see."""

    id = serializers.CharField(read_only=True)
    quiz_id = serializers.CharField(read_only=True)
    lesson_id = serializers.CharField(read_only=True)
    course_id = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="1 for the first attempt.")
    status = serializers.ChoiceField(choices=AttemptStatus.choices, read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    deadline_at = serializers.DateTimeField(read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    graded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    timed_out = serializers.BooleanField(read_only=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)
    max_score = serializers.IntegerField(read_only=True, allow_null=True)
    percentage = serializers.IntegerField(read_only=True, allow_null=True)
    passed = serializers.BooleanField(read_only=True, allow_null=True)
    success_status = serializers.CharField(read_only=True, allow_null=True)
    questions = ShownQuestionSerializer(many=True, read_only=True)
    results = ResultSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="Per question, once shown: to staff when submitted; to the learner when "
        "graded, if passed or the quiz shows results on failure.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class AttemptStartSerializer(Serializer):
    read_shape = QuizAttemptSerializer

    lesson_id = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(),
        required=False,
        allow_null=True,
        help_text="The QUIZ lesson showing the quiz; needed only when several do.",
    )
    user_id = SchoolPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="The person taking the quiz: required with an API key; a user token "
        "takes it for itself.",
    )


class AttemptSubmitSerializer(Serializer):
    read_shape = QuizAttemptSerializer

    answers = serializers.DictField(
        child=ResponseField(allow_null=True),
        allow_empty=True,
        help_text="Question id → response. A question left out is unanswered (wrong).",
    )


class AnswerGradeSerializer(Serializer):
    question_id = SchoolPrimaryKeyRelatedField(
        queryset=Question.objects.all(), help_text="A question the attempt gave."
    )
    points = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=1,
        help_text="Every question is worth one point; only for answers waiting for a person.",
    )
    feedback = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, trim_whitespace=False
    )


class AttemptGradeSerializer(Serializer):
    read_shape = QuizAttemptSerializer

    answers = AnswerGradeSerializer(many=True, allow_empty=False, max_length=1000)


class GradeSerializer(serializers.Serializer):
    lesson_id = serializers.CharField(read_only=True)
    lesson_title = serializers.CharField(read_only=True)
    quiz_id = serializers.CharField(read_only=True, allow_null=True)
    attempts = serializers.IntegerField(read_only=True)
    best_score = serializers.IntegerField(read_only=True, allow_null=True)
    max_score = serializers.IntegerField(read_only=True, allow_null=True)
    best_percentage = serializers.IntegerField(read_only=True, allow_null=True)
    passed = serializers.BooleanField(read_only=True, allow_null=True)
    success_status = serializers.CharField(read_only=True, allow_null=True)
    last_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CourseGradesSerializer(serializers.Serializer):
    user = UserRefSerializer(read_only=True)
    course_id = serializers.CharField(read_only=True)
    average_percentage = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Mean best percentage over the graded quiz lessons; null before any.",
    )
    grades = GradeSerializer(many=True, read_only=True)


# --- views -----------------------------------------------------------------------------------


class _AttemptReads:
    """Answers attempts in the API's shape, as staff or as the learner sees them."""

    def _read(self, attempts: list[QuizAttempt]) -> list[dict[str, Any]]:
        return quiz_selectors.attempts_read(attempts, staff=self.credential.is_api_key)

    def _one(self, pk: str, code: int = status.HTTP_200_OK) -> Response:
        attempt = quiz_selectors.attempt_queryset(QuizAttempt.objects.filter(pk=pk)).get()
        return Response(self._read([attempt])[0], status=code)


@extend_schema_view(
    create=extend_schema(
        summary="Start a quiz attempt",
        description="For a person enrolled in a course with a QUIZ lesson showing the quiz. "
        "An attempt still running in that lesson is answered as it is (200). Rate-limited "
        "to 60 starts a minute per person.",
        request=AttemptStartSerializer,
        responses={200: QuizAttemptSerializer, 201: QuizAttemptSerializer},
    )
)
class QuizAttemptStartViewSet(_AttemptReads, mixins.CreateModelMixin, SchoolScopedViewSet):
    """Starting attempts at one quiz."""

    quiz = Parent(Quiz.objects.all(), url_kwarg="quiz_id", detail="No such quiz.")
    queryset = QuizAttempt.objects.all()
    serializer_class = QuizAttemptSerializer
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    owner_write_actions = ("create",)

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(quiz=self.quiz).order_by("id")

    def create(self, request, **kwargs) -> Response:
        serializer = AttemptStartSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = acting_person(
            self.credential,
            serializer.validated_data.get("user_id"),
            field="user_id",
            doing="starts attempts",
            person="the person taking the quiz",
            not_own_code=EnrollmentErrorCode.NOT_OWN_ATTEMPT,
        )
        check_person_rate(self, "quiz_start", user.pk)
        attempt, created = quiz_services.quiz_attempt_start(
            quiz=self.quiz, user=user, lesson=serializer.validated_data.get("lesson_id")
        )
        return self._one(attempt.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuizAttemptFilter(FilterSet):
    quiz_id = django_filters.CharFilter(field_name="quiz_id", help_text="A quiz (qiz_ id).")
    lesson_id = django_filters.CharFilter(field_name="lesson_id", help_text="A lesson.")
    course_id = django_filters.CharFilter(field_name="course_id", help_text="A course.")
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A person.")
    status = ChoiceFilter(
        choices=AttemptStatus.choices,
        help_text="awaiting_grading lists the manual-grading queue.",
    )

    class Meta:
        model = QuizAttempt
        fields = ["quiz_id", "lesson_id", "course_id", "user_id", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="List quiz attempts",
        description="Oldest first (100 per page); status=awaiting_grading is the queue of "
        "attempts with answers waiting for a person. A user token lists its own.",
    ),
    retrieve=extend_schema(summary="Get a quiz attempt"),
    submit=extend_schema(
        summary="Submit a quiz attempt",
        description="Graded at once by the catalog's grading rules; free-form and manually "
        "graded questions wait for a person. Submitting twice is 409.",
        request=AttemptSubmitSerializer,
        responses={200: QuizAttemptSerializer},
    ),
    partial_update=extend_schema(
        summary="Grade a quiz attempt's answers",
        description="Staff (write:enrollments): points and feedback per answer; the score "
        "and pass or fail follow once no answer waits.",
        request=AttemptGradeSerializer(partial=True),
        responses={200: QuizAttemptSerializer},
    ),
    update=extend_schema(
        summary="Grade a quiz attempt's answers (as PATCH)",
        request=AttemptGradeSerializer(partial=True),
        responses={200: QuizAttemptSerializer},
    ),
)
class QuizAttemptViewSet(
    _AttemptReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """Attempts of the school's people (a user token: its own)."""

    queryset = QuizAttempt.objects.all()
    serializer_class = QuizAttemptSerializer
    filterset_class = QuizAttemptFilter
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    owner_write_actions = ("submit",)
    lookup_url_kwarg = "quiz_attempt_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return quiz_selectors.attempt_queryset(queryset).order_by("id")

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._read(list(page)))

    def retrieve(self, request, **kwargs) -> Response:
        return Response(self._read([self.get_object()])[0])

    @action(detail=True, methods=["post"])
    def submit(self, request, **kwargs) -> Response:
        attempt = self.get_object()  # another person's or school's attempt is 404 first
        serializer = AttemptSubmitSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        attempt = quiz_services.quiz_attempt_submit(
            attempt=attempt, answers=serializer.validated_data["answers"]
        )
        return self._one(attempt.pk)

    def update(self, request, **kwargs) -> Response:
        attempt = self.get_object()
        serializer = AttemptGradeSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        grades = [
            quiz_services.AnswerGrade(
                question_id=row["question_id"].pk,
                points=row.get("points"),
                feedback=row.get("feedback"),
            )
            for row in serializer.validated_data.get("answers", [])
        ]
        attempt = quiz_services.quiz_attempt_grade(attempt=attempt, grades=grades)
        return self._one(attempt.pk)

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)


class AssessmentResponseFilter(FilterSet):
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A person.")

    class Meta:
        model = QuizAttempt
        fields = ["user_id"]


@extend_schema_view(
    list=extend_schema(
        summary="List an assessment's responses",
        description="LearnWorlds' assessment responses: the submitted attempts of a QUIZ "
        "lesson (the assessment's learning activity), newest attempt first, 20 per page. A "
        "user token lists its own.",
    )
)
class AssessmentResponseViewSet(_AttemptReads, mixins.ListModelMixin, SchoolScopedViewSet):
    """Submitted attempts of one QUIZ lesson."""

    lesson = Parent(
        Lesson.objects.filter(type=LessonType.QUIZ),
        url_kwarg="lesson_id",
        detail="No such assessment.",
    )
    queryset = QuizAttempt.objects.all()
    serializer_class = QuizAttemptSerializer
    filterset_class = AssessmentResponseFilter
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return (
            quiz_selectors.attempt_queryset(queryset)
            .filter(lesson=self.lesson, submitted_at__isnull=False)
            # Newest first by id (time-ordered at the start): a non-null key, which the
            # cursor walk needs; submitted_at is empty while an attempt runs.
            .order_by("-id")
        )

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._read(list(page)))


@extend_schema_view(
    list=extend_schema(
        summary="List a course's grades",
        description="LearnWorlds' course grades: per person with progress in the course, "
        "the best graded result of each QUIZ lesson. 100 per page; a user token lists its "
        "own.",
    )
)
class CourseGradesViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Grades of everyone with progress in one course."""

    course = Parent(Course.objects.all(), url_kwarg="course_id", detail="No such course.")
    queryset = CourseProgress.objects.all()
    serializer_class = CourseGradesSerializer
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(course=self.course).select_related("user").order_by("id")

    def list(self, request, **kwargs) -> Response:
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        grades = quiz_selectors.course_grades(
            course=self.course, user_ids=[row.user_id for row in page]
        )
        rows = [
            {
                "user": {
                    "id": row.user.id,
                    "email": row.user.email,
                    "first_name": row.user.first_name,
                    "last_name": row.user.last_name,
                },
                "course_id": row.course_id,
                "average_percentage": quiz_selectors.grade_average(grades[row.user_id]),
                "grades": grades[row.user_id],
            }
            for row in page
        ]
        return self.get_paginated_response(rows)
