"""Quiz attempts: a person taking a quiz shown by a QUIZ lesson, and their answers.

An attempt stores what it was given (the chosen question ids in order, and each question's
answer order) so a re-read shows the same quiz however the catalog's randomisation would
draw now. Attempts are counted per (person, lesson): ``number`` is 1, 2, … and a unique
constraint on it backs the lock that makes two simultaneous starts take one slot each.
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import Course, Lesson, Question, Quiz
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    # Submitted, with answers waiting for a person (FREEFORM or manually graded questions).
    AWAITING_GRADING = "awaiting_grading", "Awaiting grading"
    GRADED = "graded", "Graded"


class QuizAttempt(SchoolOwnedModel):
    """One try at a quiz, by one person, in one lesson."""

    id = PrefixedIdField(prefix="qat", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_attempts")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    # started_at + the quiz's time limit, on the server's clock; empty = no limit.
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    # The questions given, in the order shown, and each question's answer ids in order.
    question_ids = models.JSONField(default=list)
    answer_order = models.JSONField(default=dict)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(null=True, blank=True)
    percentage = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "number"], name="enr_quizattempt_number_once"
            ),
        ]
        indexes = [
            *school_indexes("enr_quizattempt"),
            models.Index(fields=["lesson", "submitted_at"], name="enr_quizattempt_lesson_sub"),
            models.Index(fields=["course", "user"], name="enr_quizattempt_course_user"),
            models.Index(fields=["school", "status", "id"], name="enr_quizattempt_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.quiz_id} #{self.number}"


class AttemptAnswer(SchoolOwnedModel):
    """The response to one question of an attempt and its grade (every question is worth
    one point, as the catalog's grading counts them)."""

    id = PrefixedIdField(prefix="qan", primary_key=True)
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    response = models.JSONField(null=True, blank=True)
    # None while the answer waits for a person.
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    max_points = models.PositiveSmallIntegerField(default=1)
    feedback = models.TextField(blank=True, default="")
    manual = models.BooleanField(default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="enr_attemptanswer_once"),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True)
                | models.Q(points__lte=models.F("max_points")),
                name="enr_attemptanswer_points_max",
            ),
        ]
        indexes = school_indexes("enr_attemptans")

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.question_id}"
