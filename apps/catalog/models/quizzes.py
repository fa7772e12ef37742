"""Quizzes, question banks, their questions and the answers graded against."""

from django.core.validators import MaxValueValidator
from django.db import models

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class QuestionBank(SchoolOwnedModel):
    """A pool of questions quizzes can draw from."""

    id = PrefixedIdField(prefix="qbk", primary_key=True)
    name = models.CharField(max_length=255)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Quiz(SchoolOwnedModel):
    """A graded test. ``max_attempts`` 0 = unlimited; ``limit_question_count`` 0 = every
    question; no ``time_limit_seconds`` = no time limit."""

    id = PrefixedIdField(prefix="qiz", primary_key=True)
    name = models.CharField(max_length=255)
    html = models.TextField(blank=True, default="")
    passing_percentage_correct = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    show_results_on_failure = models.BooleanField(default=False)
    max_attempts = models.PositiveIntegerField(default=0)
    require_correct_response = models.BooleanField(default=False)
    randomize_questions = models.BooleanField(default=False)
    limit_question_count = models.PositiveIntegerField(default=0)
    randomize_answers = models.BooleanField(default=False)
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    show_question_feedback = models.BooleanField(default=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passing_percentage_correct__lte=100),
                name="catalog_quiz_passing_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionType(models.TextChoices):
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE", "Multiple choice"
    MULTIPLE_ANSWER = "MULTIPLE_ANSWER", "Multiple answer"
    FILL_IN_THE_BLANK = "FILL_IN_THE_BLANK", "Fill in the blank"
    FREEFORM = "FREEFORM", "Freeform"


class Question(SchoolOwnedModel):
    """A question of exactly one quiz or one question bank."""

    id = PrefixedIdField(prefix="qst", primary_key=True)
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    question_bank = models.ForeignKey(
        QuestionBank, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    html = models.TextField()
    requires_manual_grading = models.BooleanField(default=False)
    case_sensitive = models.BooleanField(default=False)
    correct_answer_feedback_html = models.TextField(blank=True, default="")
    incorrect_answer_feedback_html = models.TextField(blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiz__isnull=False, question_bank__isnull=True)
                | models.Q(quiz__isnull=True, question_bank__isnull=False),
                name="catalog_question_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.html[:60]


class Answer(SchoolOwnedModel):
    """One answer of a question: a choice, or an accepted text for fill-in-the-blank."""

    id = PrefixedIdField(prefix="ans", primary_key=True)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    answer_text = models.TextField()
    correct = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.answer_text[:60]
