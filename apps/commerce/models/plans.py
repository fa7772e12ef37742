"""Plans: a set of courses sold together on one domain, and the people enrolled in them.

A ``Plan`` row is the plan as it is published on its domain (Skilljar's list row, at
``https://{domain}/plan/{slug}``): there is no separate domain-less plan, because all a plan
has (its offer, its URL, its enrollments) belongs to one domain; the seed's nested
``plan {id, title}`` repeats the row's own id and title. The courses it grants are the
school's (``PlanCourse``, in order). A person enrolled in a plan is enrolled in each of its
courses through enrollments' services; ``PlanCourseGrant`` remembers which course
enrollment each plan enrollment granted, so every course is granted exactly once per plan
enrollment and the granted enrollments follow the plan enrollment's ``active`` and
``expires_at``.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from apps.catalog.models import Course
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.enrollments.models import Enrollment, EnrollmentSource
from apps.enrollments.models.purchase import PurchaseDetails
from apps.schools.models import Domain


class Plan(SchoolOwnedModel):
    """Courses sold together on a domain at ``https://{domain}/plan/{slug}``."""

    id = PrefixedIdField(prefix="pln", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100)
    courses = models.ManyToManyField(Course, through="PlanCourse", related_name="plans", blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("domain", Lower("slug"), name="commerce_plan_slug_ci"),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["domain", "id"], name="commerce_plan_domain_id"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def plan_url(self) -> str:
        return f"https://{self.domain.name}/plan/{self.slug}"


class PlanCourse(SchoolOwnedModel):
    """A course a plan grants, at its position (1 first)."""

    id = PrefixedIdField(prefix="plc", primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_courses")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="plan_courses")
    order = models.PositiveIntegerField(default=1)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "course"], name="commerce_plancourse_once"),
        ]
        indexes = school_indexes("commerce_plancrs")

    def __str__(self) -> str:
        return f"{self.course_id} in {self.plan_id}"


class PlanEnrollment(PurchaseDetails, SchoolOwnedModel):
    """A person's enrollment in a plan; access while active and not expired."""

    id = PrefixedIdField(prefix="ple", primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_enrollments"
    )
    enrolled_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(
        max_length=20, choices=EnrollmentSource.choices, default=EnrollmentSource.API
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user", "enrolled_at"], name="commerce_planenr_once"
            ),
        ]
        indexes = [
            *school_indexes("commerce_planenr"),
            models.Index(fields=["plan", "id"], name="commerce_planenr_plan_id"),
            models.Index(fields=["user", "id"], name="commerce_planenr_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.plan_id}"


class PlanCourseGrant(SchoolOwnedModel):
    """That a plan enrollment granted a course, and the course enrollment it made.

    Written before the course enrollment, in the same transaction: the unique pair is the
    claim that makes a grant happen once, also when two grants race. ``enrollment`` is
    empty when the person already had that very enrollment (same publication, same
    ``enrolled_at``) or it was deleted since; the course counts as granted all the same.
    """

    id = PrefixedIdField(prefix="plg", primary_key=True)
    plan_enrollment = models.ForeignKey(
        PlanEnrollment, on_delete=models.CASCADE, related_name="grants"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="plan_grants")
    enrollment = models.OneToOneField(
        Enrollment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_grant",
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_enrollment", "course"], name="commerce_plangrant_once"
            ),
        ]
        indexes = school_indexes("commerce_plangrant")

    def __str__(self) -> str:
        return f"{self.course_id} from {self.plan_enrollment_id}"
