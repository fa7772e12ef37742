"""Reads of training credit codes."""

from django.db.models import Prefetch, QuerySet

from apps.commerce.models import Offer, TrainingCreditCode
from apps.schools.models import Group


def training_credit_code_list(*, queryset: QuerySet[TrainingCreditCode]) -> QuerySet:
    """Codes with the ids of their groups and offers, in two statements for any page."""
    return queryset.prefetch_related(
        Prefetch("student_groups", queryset=Group.objects.only("id").order_by("id")),
        Prefetch("offers", queryset=Offer.objects.only("id").order_by("id")),
    )
