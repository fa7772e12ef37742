"""Reads of offers."""

from django.db.models import QuerySet

from apps.commerce.models import Offer


def offer_list(*, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """Offers with their target and its domain (for ``registration_url``), in one statement."""
    return queryset.select_related(
        "published_course__domain", "published_path__domain", "bundle", "plan__domain"
    )
