"""Reads of quizzes, question banks and questions."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from apps.catalog.models import Answer, Question, QuestionBank, Quiz


def quiz_list(*, queryset: QuerySet[Quiz] | None = None) -> QuerySet[Quiz]:
    """Quizzes with ``question_count`` and ``requires_manual_grading`` (any question says so)."""
    queryset = Quiz.objects.all() if queryset is None else queryset
    manual = Question.objects.filter(quiz=OuterRef("pk"), requires_manual_grading=True)
    return queryset.annotate(
        question_count=Count("questions", distinct=True),
        requires_manual_grading=Exists(manual),
    ).order_by("id")


def question_bank_list(*, queryset: QuerySet[QuestionBank] | None = None) -> QuerySet:
    """Question banks with ``question_count``."""
    queryset = QuestionBank.objects.all() if queryset is None else queryset
    return queryset.annotate(question_count=Count("questions")).order_by("id")


def question_list(*, queryset: QuerySet[Question] | None = None) -> QuerySet[Question]:
    """Questions with their answers, by position (within a quiz or bank: its order)."""
    queryset = Question.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("order", "id"))
    ).order_by("order", "id")
