"""Writes of seat offerings: create, change the number of seats, assign a person to a seat.

An assignment enrolls the person in the offer's target through the enrollment services
(a published course: ``enrollment_create``; a published path: ``path_enrollment_create``).
Assignments of one offering are serialised by a row lock on the offering, which is also
where ``seats_used`` is counted: the N+1th assignment is 409 ``seats_full`` even when many
arrive at once, and a check constraint backs the count. Assigning someone who holds a seat
already answers that seat.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import Offer, SeatAssignment, SeatOffering
from apps.core.errors import Conflict, InvalidInput
from apps.enrollments.models import EnrollmentSource
from apps.enrollments.services.enrollments import enrollment_create, path_enrollment_create
from apps.schools.models import School, User

# The offer targets a seat can give access to: those the enrollment services enroll in.
SEAT_TARGETS = ("published_course", "published_path")
MAX_SEATS = 1_000_000


def _check_seats(seats: int) -> None:
    # The API's field refuses these first; the admin and code callers reach here.
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise InvalidInput(f"seats: from 1 to {MAX_SEATS}.", field="seats")


@transaction.atomic
def seat_offering_create(*, school: School, user: User, offer: Offer, seats: int) -> SeatOffering:
    """``seats`` places on ``offer``'s target held by ``user`` (the buyer); 400 when the offer
    sells a bundle (``seat_target_unsupported``) or a row is another school's."""
    if user.school_id != school.pk:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    if offer.school_id != school.pk:
        raise InvalidInput("offer_id does not exist.", code="does_not_exist", field="offer_id")
    if offer.target_name not in SEAT_TARGETS:
        raise InvalidInput(
            "offer_id: seats give access to a published course or a published path; this "
            "offer sells a bundle.",
            code=CommerceErrorCode.SEAT_TARGET_UNSUPPORTED,
            field="offer_id",
        )
    _check_seats(seats)
    offering = SeatOffering(school=school, user=user, offer=offer, seats=seats)
    offering.save(force_insert=True)
    return offering


@transaction.atomic
def seat_offering_update(*, offering: SeatOffering, seats: int | None = None) -> SeatOffering:
    """Change the number of seats; fewer than are assigned is 409 ``seats_below_used``."""
    offering = SeatOffering.objects.select_for_update().get(pk=offering.pk)
    if seats is None or seats == offering.seats:
        return offering
    _check_seats(seats)
    if seats < offering.seats_used:
        raise Conflict(
            f"seats: {offering.seats_used} seats are assigned; give at least that many.",
            code=CommerceErrorCode.SEATS_BELOW_USED,
            field="seats",
        )
    offering.seats = seats
    offering.save(update_fields=["seats", "updated_at"])
    return offering


@transaction.atomic
def seat_assign(*, offering: SeatOffering, user: User) -> tuple[SeatAssignment, bool]:
    """Put ``user`` on a seat of ``offering`` and enroll them in its target;
    ``(assignment, created)``. The same user again answers their seat; 409 ``seats_full``
    when every seat is taken; 400 when the user is not an active member of the school."""
    if user.school_id != offering.school_id:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    # The lock makes assignments of one offering take turns: the count below is exact.
    offering = SeatOffering.objects.select_for_update().get(pk=offering.pk)
    existing = SeatAssignment.objects.filter(seat_offering=offering, user=user).first()
    if existing is not None:
        return existing, False
    if offering.seats_used >= offering.seats:
        raise Conflict(
            f"All {offering.seats} seats of this seat offering are assigned.",
            code=CommerceErrorCode.SEATS_FULL,
        )
    offer = Offer.objects.select_related("published_course__domain", "published_path__domain").get(
        pk=offering.offer_id
    )
    assignment = SeatAssignment(school_id=offering.school_id, seat_offering=offering, user=user)
    if offer.published_course_id is not None:
        assignment.enrollment, _ = enrollment_create(
            published_course=offer.published_course, user=user, source=EnrollmentSource.PURCHASE
        )
    else:
        assignment.path_enrollment, _ = path_enrollment_create(
            published_path=offer.published_path, user=user, source=EnrollmentSource.PURCHASE
        )
    assignment.save(force_insert=True)
    SeatOffering.objects.filter(pk=offering.pk).update(
        seats_used=F("seats_used") + 1, updated_at=timezone.now()
    )
    return assignment, True
