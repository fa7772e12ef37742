"""Cohorts (Learnomy): a named group of learners taking a course together from a start date.

Each cohort owns a private space linked to its course, made with the cohort; the cohort's
members are members of that space. Adding someone to a cohort enrolls them in its course
when they have no active enrollment (``apps.community.services.cohorts``).
"""

from django.db import models

from apps.catalog.models import Course
from apps.community.models.spaces import Space
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User


class Cohort(SchoolOwnedModel):
    """A group of the school's learners taking ``course`` together from ``start_date``."""

    id = PrefixedIdField(prefix="coh", primary_key=True)
    name = models.CharField(max_length=200)
    # Fixed once made: its members were enrolled in this course and its space is linked to it.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    start_date = models.DateField()
    # PROTECT: the space service keeps a cohort's space (soft-deleting it) rather than
    # removing it, since the cohort counts as the space's content.
    space = models.OneToOneField(Space, on_delete=models.PROTECT, related_name="cohort")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]  # ids are time-ordered: oldest first

    def __str__(self) -> str:
        return self.name


class CohortMember(SchoolOwnedModel):
    """A person's place in a cohort (once per cohort)."""

    id = PrefixedIdField(prefix="chm", primary_key=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cohort_memberships")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="community_cohort_member_once"),
        ]
        indexes = [
            *school_indexes("community_chm"),
            # A cohort's members page, oldest first.
            models.Index(fields=["cohort", "id"], name="community_chm_cohort"),
            # A person's cohorts (what a learner's token lists).
            models.Index(fields=["user", "cohort"], name="community_chm_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"
