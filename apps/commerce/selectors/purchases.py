"""Reads of purchases."""

from django.db.models import QuerySet

from apps.commerce.models import Purchase


def purchase_list(*, queryset: QuerySet[Purchase]) -> QuerySet[Purchase]:
    """Purchases with their buyer and offer, in one statement."""
    return queryset.select_related("user", "offer")
