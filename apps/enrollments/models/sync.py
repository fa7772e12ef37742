"""Offline sync: a receipt per client id, so a batch sent twice is applied once."""

from django.conf import settings
from django.db import models

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.enrollments.models.progress import LessonProgress
from apps.enrollments.models.quizzes import QuizAttempt


class SyncReceipt(SchoolOwnedModel):
    """An offline item Lyceum applied, or judged superseded: replaying its client id (per
    person) answers ``duplicate`` and changes nothing. A quiz attempt taken offline names the
    attempt it recorded and the progress row of its QUIZ lesson."""

    id = PrefixedIdField(prefix="syn", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_receipts"
    )
    client_id = models.CharField(max_length=100)
    lesson_progress = models.ForeignKey(
        LessonProgress, on_delete=models.CASCADE, related_name="sync_receipts"
    )
    quiz_attempt = models.ForeignKey(
        QuizAttempt,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sync_receipts",
    )
    status = models.CharField(max_length=20)
    client_timestamp = models.DateTimeField()

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="enr_syncreceipt_once"),
        ]
        indexes = school_indexes("enr_syncrcpt")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.client_id}"
