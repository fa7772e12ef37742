"""Products a user holds (LearnWorlds' "products of user"): the record of a bundle held.

Courses, paths, plans and subscriptions each have a row of their own already (an
enrollment, a plan enrollment, a subscription); a bundle is granted as enrollments in its
courses without a publication, so ``BundleEnrollment`` records that the person holds the
bundle itself and which course enrollments it granted (so unenrolling takes exactly those
back). One live bundle enrollment per (bundle, user).
"""

from django.db import models

from apps.catalog.models import Bundle
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.schools.models import User


class BundleEnrollment(SchoolOwnedModel):
    """``user`` holds ``bundle`` (bought, or enrolled through the API)."""

    id = PrefixedIdField(prefix="ben", primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="+")
    enrolled_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    # The purchase (``pur_…``) that granted it; empty for an enrollment through the API.
    purchase_id = models.CharField(max_length=40, blank=True, default="")
    # The course enrollments (``enr_…``) this bundle enrollment granted.
    enrollment_ids = models.JSONField(default=list, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "user"],
                condition=models.Q(active=True),
                name="commerce_bundleenr_live_once",
            ),
        ]
        indexes = [*school_indexes("commerce_benr")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.bundle_id}"
