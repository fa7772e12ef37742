"""Reads of payments."""

from django.db.models import QuerySet

from apps.commerce.models import Payment


def payment_list(*, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
    """Payments with their purchase, offer, the offer's target and its title, and the buyer."""
    return queryset.select_related(
        "user",
        "purchase__offer__published_course__course",
        "purchase__offer__published_path__path",
        "purchase__offer__bundle",
    )
