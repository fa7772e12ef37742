"""Reads of seat offerings and their assignments."""

from django.db.models import QuerySet

from apps.commerce.models import SeatAssignment, SeatOffering


def seat_offering_list(*, queryset: QuerySet[SeatOffering]) -> QuerySet[SeatOffering]:
    """Offerings with their offer (for the target's ids), newest first, in one statement."""
    return queryset.select_related("offer").order_by("-created_at", "-id")


def seat_assignment_list(*, queryset: QuerySet[SeatAssignment]) -> QuerySet[SeatAssignment]:
    """Assignments of one offering, first assigned first."""
    return queryset.order_by("id")
