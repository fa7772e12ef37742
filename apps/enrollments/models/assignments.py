"""Assignment submissions: what a person handed in for an ASSIGNMENT lesson (text, a file
or both) and the grade a person gave it.

A person has at most one submission waiting for grading per lesson (a partial unique
constraint): submitting again before it is graded replaces its text and file. A graded
submission stays as it was graded; after a FAILED grade the person may submit anew (a new
row), after a PASSED one not. The file lives in the default storage under a private path
(``assignments/<school>/<submission>/…``), served by signed links like the catalog's
assets.
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import Course, Lesson
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes


class SubmissionState(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Submitted"
    GRADED = "GRADED", "Graded"


class AssignmentGrade(models.TextChoices):
    PASSED = "PASSED", "Passed"
    FAILED = "FAILED", "Failed"


class AssignmentSubmission(SchoolOwnedModel):
    """One hand-in for an ASSIGNMENT lesson by one person, and its grade."""

    id = PrefixedIdField(prefix="asb", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_submissions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="submissions")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, default="")
    # The stored name in the default storage; empty when no file was handed in.
    file = models.CharField(max_length=500, blank=True, default="")
    file_name = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=SubmissionState.choices, default=SubmissionState.SUBMITTED
    )
    grade = models.CharField(max_length=10, choices=AssignmentGrade.choices, null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True, default="")
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"],
                condition=models.Q(state="SUBMITTED"),
                name="enr_submission_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="enr_submission_score_max",
            ),
            models.CheckConstraint(
                condition=models.Q(state="SUBMITTED", grade__isnull=True)
                | models.Q(state="GRADED", grade__isnull=False),
                name="enr_submission_graded_has_grade",
            ),
        ]
        indexes = [
            *school_indexes("enr_submission"),
            models.Index(fields=["lesson", "user"], name="enr_submission_lesson_user"),
            models.Index(fields=["school", "state", "submitted_at"], name="enr_submission_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.lesson_id}"
