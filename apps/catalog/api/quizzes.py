"""``quizzes``, ``quiz-questions`` and ``question-banks`` (Skilljar v1; 1000 per page)."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import Question, QuestionBank, QuestionType, Quiz
from apps.catalog.selectors import quizzes as quiz_selectors
from apps.catalog.services import quizzes as quiz_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import (
    CaseInsensitiveChoiceField,
    LabelField,
    SchoolPrimaryKeyRelatedField,
)
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import FilterSet

HTML_LIMIT = 200_000


class QuizSerializer(ModelSerializer):
    """A quiz: every setting of the seed, its question count, and whether a person must
    grade its attempts (a question requires it)."""

    question_count = serializers.IntegerField(read_only=True)
    requires_manual_grading = serializers.BooleanField(read_only=True)

    class Meta:
        model = Quiz
        fields = [
            "id",
            *quiz_services.QUIZ_FIELDS,
            "question_count",
            "requires_manual_grading",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuizWriteSerializer(Serializer):
    read_shape = QuizSerializer

    name = LabelField(max_length=255)
    html = serializers.CharField(allow_blank=True, required=False, max_length=HTML_LIMIT)
    passing_percentage_correct = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="Percent needed to pass."
    )
    show_results_on_failure = serializers.BooleanField(required=False)
    max_attempts = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="0 (the default): unlimited."
    )
    require_correct_response = serializers.BooleanField(required=False)
    randomize_questions = serializers.BooleanField(required=False)
    limit_question_count = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        required=False,
        help_text="0 (the default): every question; else this many, drawn at random.",
    )
    randomize_answers = serializers.BooleanField(required=False)
    time_limit_seconds = serializers.IntegerField(
        min_value=1,
        max_value=604_800,
        required=False,
        allow_null=True,
        help_text="Blank or null: no time limit.",
    )
    show_question_feedback = serializers.BooleanField(
        required=False, help_text="Turning it off deletes the feedback questions hold."
    )


class QuizFilter(FilterSet):
    name = django_filters.CharFilter(help_text="Exact name, case sensitive (as Skilljar).")

    class Meta:
        model = Quiz
        fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List quizzes"),
    retrieve=extend_schema(summary="Get a quiz"),
    create=extend_schema(
        summary="Create a quiz", request=QuizWriteSerializer, responses={201: QuizSerializer}
    ),
    update=extend_schema(
        summary="Update a quiz (partial, as PATCH)",
        request=QuizWriteSerializer(partial=True),
        responses=QuizSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a quiz", request=QuizWriteSerializer(partial=True), responses=QuizSerializer
    ),
    destroy=extend_schema(summary="Delete a quiz and its questions (409 while lessons use it)"),
)
class QuizViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """The school's quizzes (1000 per page)."""

    queryset = Quiz.objects.all()
    serializer_class = QuizSerializer
    filterset_class = QuizFilter
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "quiz_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return quiz_selectors.quiz_list(queryset=queryset)

    def _respond(self, quiz: Quiz, status_code: int = status.HTTP_200_OK) -> Response:
        quiz = quiz_selectors.quiz_list(queryset=Quiz.objects.filter(pk=quiz.pk)).get()
        return Response(QuizSerializer(quiz).data, status=status_code)

    def create(self, request) -> Response:
        serializer = QuizWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        quiz = quiz_services.quiz_create(school=self.school, **serializer.validated_data)
        return self._respond(quiz, status.HTTP_201_CREATED)

    def update(self, request, quiz_id: str | None = None) -> Response:
        quiz = self.get_object()
        serializer = QuizWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(quiz_services.quiz_update(quiz=quiz, **serializer.validated_data))

    def partial_update(self, request, quiz_id: str | None = None) -> Response:
        return self.update(request, quiz_id=quiz_id)

    def perform_destroy(self, instance: Quiz) -> None:
        quiz_services.quiz_delete(quiz=instance)


# --- question banks --------------------------------------------------------------------------


class QuestionBankSerializer(ModelSerializer):
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuestionBank
        fields = ["id", "name", "question_count", "created_at", "updated_at"]
        read_only_fields = fields


class QuestionBankWriteSerializer(Serializer):
    read_shape = QuestionBankSerializer

    name = LabelField(max_length=255)


@extend_schema_view(
    list=extend_schema(summary="List question banks"),
    retrieve=extend_schema(summary="Get a question bank"),
    create=extend_schema(
        summary="Create a question bank",
        request=QuestionBankWriteSerializer,
        responses={201: QuestionBankSerializer},
    ),
)
class QuestionBankViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Pools of questions (1000 per page)."""

    queryset = QuestionBank.objects.all()
    serializer_class = QuestionBankSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "question_bank_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return quiz_selectors.question_bank_list(queryset=queryset)

    def create(self, request) -> Response:
        serializer = QuestionBankWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        bank = quiz_services.question_bank_create(school=self.school, **serializer.validated_data)
        bank.question_count = 0
        return Response(QuestionBankSerializer(bank).data, status=status.HTTP_201_CREATED)


# --- questions -------------------------------------------------------------------------------


class AnswerSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    answer_text = serializers.CharField(max_length=5000)
    correct = serializers.BooleanField(
        required=False, help_text="Default false; fill-in-the-blank answers are all correct."
    )


class QuestionSerializer(ModelSerializer):
    """A question with its answers in order."""

    quiz = serializers.CharField(source="quiz_id", read_only=True, allow_null=True)
    quiz_question_bank = serializers.CharField(
        source="question_bank_id", read_only=True, allow_null=True
    )
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "quiz",
            "quiz_question_bank",
            "order",
            "type",
            "html",
            "requires_manual_grading",
            "case_sensitive",
            "correct_answer_feedback_html",
            "incorrect_answer_feedback_html",
            "answers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuestionWriteSerializer(Serializer):
    read_shape = QuestionSerializer

    quiz = SchoolPrimaryKeyRelatedField(
        queryset=Quiz.objects.all(),
        required=False,
        allow_null=True,
        help_text="The quiz (qiz_ id); exactly one of quiz and quiz_question_bank.",
    )
    quiz_question_bank = SchoolPrimaryKeyRelatedField(
        source="question_bank",
        queryset=QuestionBank.objects.all(),
        required=False,
        allow_null=True,
        help_text="The question bank (qbk_ id); exactly one of quiz and quiz_question_bank.",
    )
    html = serializers.CharField(max_length=HTML_LIMIT)
    type = CaseInsensitiveChoiceField(choices=QuestionType.choices)
    requires_manual_grading = serializers.BooleanField(required=False)
    case_sensitive = serializers.BooleanField(
        required=False, help_text="Only for FILL_IN_THE_BLANK questions."
    )
    correct_answer_feedback_html = serializers.CharField(
        allow_blank=True, required=False, max_length=HTML_LIMIT
    )
    incorrect_answer_feedback_html = serializers.CharField(
        allow_blank=True, required=False, max_length=HTML_LIMIT
    )
    answers = AnswerSerializer(
        many=True,
        required=False,
        help_text="Needed except for FREEFORM: MULTIPLE_CHOICE has exactly one correct, "
        "MULTIPLE_ANSWER at least one; FILL_IN_THE_BLANK lists the accepted texts.",
    )

    def validate_answers(self, value: list) -> list:
        if len(value) > 100:
            raise serializers.ValidationError("At most 100 answers.")
        return value


@extend_schema_view(
    list=extend_schema(summary="List quiz questions"),
    retrieve=extend_schema(summary="Get a quiz question"),
    create=extend_schema(
        summary="Create a quiz question (in a quiz or a question bank)",
        request=QuestionWriteSerializer,
        responses={201: QuestionSerializer},
    ),
    update=extend_schema(
        summary="Update a quiz question (partial, as PATCH)",
        request=QuestionWriteSerializer(partial=True),
        responses=QuestionSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a quiz question",
        request=QuestionWriteSerializer(partial=True),
        responses=QuestionSerializer,
    ),
    destroy=extend_schema(summary="Delete a quiz question"),
)
class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """Questions of quizzes and banks (1000 per page); filter by ``quiz`` or bank."""

    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "question_id"
    page_size = 1000
    max_page_size = 1000

    class Filter(FilterSet):
        quiz = django_filters.CharFilter(field_name="quiz_id", help_text="A quiz (qiz_ id).")
        quiz_question_bank = django_filters.CharFilter(
            field_name="question_bank_id", help_text="A question bank (qbk_ id)."
        )

        class Meta:
            model = Question
            fields = ["quiz", "quiz_question_bank"]

    filterset_class = Filter

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return quiz_selectors.question_list(queryset=queryset)

    def _respond(self, question: Question, status_code: int = status.HTTP_200_OK) -> Response:
        question = quiz_selectors.question_list(
            queryset=Question.objects.filter(pk=question.pk)
        ).get()
        return Response(QuestionSerializer(question).data, status=status_code)

    def create(self, request) -> Response:
        serializer = QuestionWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        question = quiz_services.question_create(school=self.school, **serializer.validated_data)
        return self._respond(question, status.HTTP_201_CREATED)

    def update(self, request, question_id: str | None = None) -> Response:
        question = self.get_object()
        serializer = QuestionWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        question = quiz_services.question_update(question=question, **serializer.validated_data)
        return self._respond(question)

    def partial_update(self, request, question_id: str | None = None) -> Response:
        return self.update(request, question_id=question_id)

    def perform_destroy(self, instance: Question) -> None:
        quiz_services.question_delete(question=instance)
