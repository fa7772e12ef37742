"""Seat offerings (LearnWorlds' "multiple seats"): a buyer holds ``seats`` places on one
offer's target (a published course or a published path) and assigns people to them.

``seats_used`` counts the assignments; it moves only under a row lock of the offering
(``apps.commerce.services.seats``), and a check constraint keeps it at or under ``seats``,
so the N+1th assignment is refused even when eight arrive at once. One assignment per
(offering, user): assigning someone twice is the same assignment.
"""

from django.db import models

from apps.commerce.models.offers import Offer
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.schools.models import User


class SeatOffering(SchoolOwnedModel):
    """``seats`` places on ``offer``'s target, held by ``user`` (the buyer)."""

    id = PrefixedIdField(prefix="sto", primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # PROTECT: the offering is what the buyer paid for; the offer stays while it exists.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="seat_offerings")
    seats = models.PositiveIntegerField()
    seats_used = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_used__lte=models.F("seats")),
                name="commerce_seats_used_lte_seats",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seats on {self.offer_id}"


class SeatAssignment(SchoolOwnedModel):
    """A person on one seat of an offering, and the enrollment that gave them access."""

    id = PrefixedIdField(prefix="sta", primary_key=True)
    seat_offering = models.ForeignKey(
        SeatOffering, on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path_enrollment = models.ForeignKey(
        PathEnrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat_offering", "user"], name="commerce_seat_assignment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.seat_offering_id}"
