"""Certificates: a template per course, and the certificates issued from it.

A certificate keeps what it said when it was issued (the learner's name, the course's
title, the template's text with its placeholders filled in), so a later change to the
template or the course does not rewrite certificates already handed out. A person holds at
most one valid (unrevoked) certificate per course, which a partial unique constraint backs;
revoked certificates stay, and a reissued one points at its replacement.
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import Course
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes

# The placeholders a template's title and body may use, and what each is replaced by.
PLACEHOLDERS = {
    "user_name": "the learner's full name (or e-mail when they gave no name)",
    "course_title": "the course's title",
    "issued_date": "the day of issue, as 2024-02-28",
    "credential_id": "the certificate's credential id",
}


class CertificateTemplate(SchoolOwnedModel):
    """What a course's certificates say; a course without one issues no certificates."""

    id = PrefixedIdField(prefix="ctp", primary_key=True)
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="certificate_template"
    )
    title = models.CharField(max_length=255, default="Certificate of Completion")
    body = models.TextField(
        default="This certifies that {user_name} has completed {course_title}.",
        help_text="Placeholders: " + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
    )
    signature_name = models.CharField(max_length=255, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = school_indexes("enr_certtpl")

    def __str__(self) -> str:
        return f"{self.title} ({self.course_id})"


class Certificate(SchoolOwnedModel):
    """A certificate one person earned in one course (LearnFlow's shape)."""

    id = PrefixedIdField(prefix="crt", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    credential_id = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField()
    # What the certificate says, fixed at issue.
    user_name = models.CharField(max_length=255)
    course_title = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    body = models.TextField()
    signature_name = models.CharField(max_length=255, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True, default="")
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    # The ``enrollment.completed`` event that issued it: a redelivered event issues nothing.
    completion_event_id = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(revoked_at__isnull=True),
                name="enr_certificate_one_valid",
            ),
        ]
        indexes = [
            *school_indexes("enr_cert"),
            models.Index(fields=["user", "course"], name="enr_cert_user_course"),
            models.Index(fields=["course", "issued_at"], name="enr_cert_course_issued"),
            models.Index(fields=["school", "issued_at"], name="enr_cert_sc_issued"),
        ]

    def __str__(self) -> str:
        return self.credential_id

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
