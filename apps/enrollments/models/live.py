"""Registrations of enrolled people for live sessions (Skilljar's vilt-session-registrations).

A registration ties a person's enrollment in a course to one ILT/VILT session of a
LIVE_TRAINING lesson of that course. Seats are counted where they live: on the session, or
for a session of a multi-session event, on the event (one seat per person, whichever of its
sessions they register for).
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import IltSession
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.enrollments.models.enrollments import Enrollment


class ViltSessionRegistration(SchoolOwnedModel):
    """One person registered for one live session, through an enrollment in its course."""

    id = PrefixedIdField(prefix="vsr", primary_key=True)
    session = models.ForeignKey(IltSession, on_delete=models.CASCADE, related_name="registrations")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="vilt_registrations"
    )
    # The enrollment's person, kept here so seats count people and a user token finds its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vilt_registrations"
    )
    # Null until staff record attendance (after the session).
    attended = models.BooleanField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="enr_viltreg_once"),
        ]
        indexes = [
            *school_indexes("enr_viltreg"),
            models.Index(fields=["session", "id"], name="enr_viltreg_session_id"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id}"
