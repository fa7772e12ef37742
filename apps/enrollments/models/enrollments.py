"""Who may learn what: enrollments in published courses and paths.

A person may hold several enrollments in one course (a renewal, a second purchase); they
have access while at least one is active and not expired. An enrollment is identified, for
idempotent creation, by (publication, user, ``enrolled_at``), which a unique constraint
backs. Coursepath's members API enrolls without a publication (``source`` ``members``),
once per (course or path, person). Enrolling in a path enrolls in each of its courses: those
enrollments point at the path enrollment that granted them and follow its ``active`` and
``expires_at``.
"""

from django.conf import settings
from django.db import models

from apps.catalog.models import Course, Path, PublishedCourse, PublishedPath
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.enrollments.models.purchase import PurchaseDetails


class EnrollmentSource(models.TextChoices):
    """How an enrollment came to be (Learnomy's ``source``)."""

    API = "api", "API"
    ADMIN = "admin", "Admin"
    PATH = "path", "Path enrollment"
    PURCHASE = "purchase", "Purchase"
    MEMBERS = "members", "Course members"
    IMPORT = "import", "Import"
    SELF = "self", "Self-registration"
    COHORT = "cohort", "Cohort"


class PathEnrollment(PurchaseDetails, SchoolOwnedModel):
    """A person's enrollment in a path published on a domain."""

    id = PrefixedIdField(prefix="pen", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="path_enrollments"
    )
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="enrollments")
    # Kept when the path is taken off the domain: the enrollment and its access remain.
    published_path = models.ForeignKey(
        PublishedPath,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    enrolled_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(
        max_length=20, choices=EnrollmentSource.choices, default=EnrollmentSource.API
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["published_path", "user", "enrolled_at"], name="enr_pathenr_once"
            ),
            # Coursepath's program members: one members enrollment per (path, person).
            models.UniqueConstraint(
                fields=["path", "user"],
                condition=models.Q(source="members"),
                name="enr_pathenr_member_once",
            ),
        ]
        indexes = [
            *school_indexes("enr_pathenr"),
            models.Index(fields=["published_path", "id"], name="enr_pathenr_pub_id"),
            models.Index(fields=["user", "id"], name="enr_pathenr_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.path_id}"


class Enrollment(PurchaseDetails, SchoolOwnedModel):
    """A person's enrollment in a course, usually through one of its publications."""

    id = PrefixedIdField(prefix="enr", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    # Kept when the course is taken off the domain: the enrollment and its access remain.
    # Empty also for a course of a path that is not published on the path's domain.
    published_course = models.ForeignKey(
        PublishedCourse,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    path_enrollment = models.ForeignKey(
        PathEnrollment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="course_enrollments",
    )
    enrolled_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(
        max_length=20, choices=EnrollmentSource.choices, default=EnrollmentSource.API
    )
    # Where the learner goes once the course is complete (LearnFlow's completion_redirect).
    completion_redirect = models.CharField(max_length=2000, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["published_course", "user", "enrolled_at"], name="enr_enrollment_once"
            ),
            models.UniqueConstraint(
                fields=["path_enrollment", "course"], name="enr_enrollment_once_per_path"
            ),
            # Coursepath's course members: one members enrollment per (course, person).
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=models.Q(source="members"),
                name="enr_enrollment_member_once",
            ),
        ]
        indexes = [
            *school_indexes("enr_enrollment"),
            models.Index(fields=["published_course", "id"], name="enr_enrollment_pub_id"),
            models.Index(fields=["user", "course"], name="enr_enrollment_user_course"),
            models.Index(fields=["course", "enrolled_at"], name="enr_enrollment_course_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"
