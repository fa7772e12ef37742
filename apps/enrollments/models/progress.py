"""How far a person is: one course progress per (person, course) and one lesson progress
per (person, lesson), with a progress token per lesson progress for external tools.

Progress belongs to the learner in the course, not to one enrollment: a renewal or a second
enrollment continues where the first stopped. Rows are made for every lesson when a person
is enrolled, and for lessons added later when their progress is first listed, so every
lesson a client can see has an id it can write to.
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import Course, Lesson
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes


class SuccessStatus(models.TextChoices):
    PASSED = "PASSED", "Passed"
    FAILED = "FAILED", "Failed"


class CourseProgress(SchoolOwnedModel):
    """A person's state in a course: started, last seen, completed (set once)."""

    id = PrefixedIdField(prefix="cpg", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    success_status = models.CharField(
        max_length=10, choices=SuccessStatus.choices, null=True, blank=True
    )
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    current_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name_plural = "course progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enr_courseprogress_once"),
        ]
        indexes = [
            *school_indexes("enr_courseprog"),
            models.Index(fields=["course", "completed_at"], name="enr_courseprogress_done"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"


class LessonProgress(SchoolOwnedModel):
    """A person's state in one lesson (Skilljar's lesson progress)."""

    id = PrefixedIdField(prefix="lpg", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    success_status = models.CharField(
        max_length=10, choices=SuccessStatus.choices, null=True, blank=True
    )
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(null=True, blank=True)
    custom_data = models.TextField(blank=True, default="")
    validation_status = models.CharField(
        max_length=10, choices=SuccessStatus.choices, null=True, blank=True
    )
    validation_data = models.JSONField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    # The client clock of the last offline write applied (last write wins per lesson).
    client_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="enr_lessonprogress_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True)
                | models.Q(max_score__isnull=True)
                | models.Q(score__lte=models.F("max_score")),
                name="enr_lessonprogress_score_max",
            ),
        ]
        indexes = [
            *school_indexes("enr_lessonprog"),
            models.Index(fields=["course", "user"], name="enr_lessonprogress_course_user"),
            models.Index(fields=["lesson", "completed_at"], name="enr_lessonprogress_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.lesson_id}"


class ProgressToken(SchoolOwnedModel):
    """A handle an external tool reports one person's lesson progress through."""

    id = PrefixedIdField(prefix="ptk", primary_key=True)
    lesson_progress = models.OneToOneField(
        LessonProgress, on_delete=models.CASCADE, related_name="token"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = school_indexes("enr_progtoken")

    def __str__(self) -> str:
        return self.id
