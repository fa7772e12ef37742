"""Training credit codes (Skilljar's ``training-credit-codes``) and what was bought with them.

A code holds ``credits_total`` credits, counted in the same whole credits as an offer's
``training_credit_value``; ``credits_remaining`` only ever moves through one conditional
UPDATE (``apps.commerce.services.credits``), so concurrent spends never overdraw it, and a
check constraint keeps it between 0 and ``credits_total`` whatever writes it.

Each spend is a ``TrainingCreditSpend`` row: which code, offer and user, how many credits,
and the enrollment the purchase granted with them (filled by the purchase through
``training_credit_grant_record``). A code with ``expire_content`` takes that access back at
its ``expires_at``; ``content_expired_at`` marks the spends already handled, so the beat task
that does it can run any number of times.
"""

from django.db import models
from django.db.models.functions import Lower

from apps.commerce.models.offers import Offer
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.schools.models import Group, User


class TrainingCreditCode(SchoolOwnedModel):
    """A code learners apply to pay for offers with credits; unique per school in any case."""

    id = PrefixedIdField(prefix="tcc", primary_key=True)
    training_credit_code = models.CharField(max_length=100)
    credits_total = models.PositiveIntegerField()
    credits_remaining = models.PositiveIntegerField()
    expires_at = models.DateTimeField(null=True, blank=True)
    expire_content = models.BooleanField(default=False)
    tracking_identifier = models.CharField(max_length=200, blank=True, default="")
    available_to_all_students = models.BooleanField(default=False)
    student_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    available_for_all_offers = models.BooleanField(default=False)
    offers = models.ManyToManyField(Offer, blank=True, related_name="training_credit_codes")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                "school", Lower("training_credit_code"), name="commerce_tcc_code_ci"
            ),
            models.CheckConstraint(
                condition=models.Q(credits_remaining__lte=models.F("credits_total")),
                name="commerce_tcc_remaining_lte_total",
            ),
        ]
        indexes = [
            *school_indexes("commerce_tcc"),
            models.Index(fields=["school", "tracking_identifier"], name="commerce_tcc_tracking"),
            models.Index(
                fields=["expire_content", "expires_at"], name="commerce_tcc_expire_content"
            ),
        ]

    def __str__(self) -> str:
        return self.training_credit_code


class TrainingCreditSpend(SchoolOwnedModel):
    """Credits of one code spent by one user on one offer, and the access it bought."""

    id = PrefixedIdField(prefix="tcs", primary_key=True)
    # PROTECT: a code that paid for access is the record of that payment.
    code = models.ForeignKey(TrainingCreditCode, on_delete=models.PROTECT, related_name="spends")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    credits = models.PositiveIntegerField()
    # The access the purchase granted (one of them), for ``expire_content``.
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path_enrollment = models.ForeignKey(
        PathEnrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_expired_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *school_indexes("commerce_tcs"),
            models.Index(fields=["code", "content_expired_at"], name="commerce_tcs_code_open"),
        ]

    def __str__(self) -> str:
        return f"{self.credits} credits of {self.code_id} on {self.offer_id}"
