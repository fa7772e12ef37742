"""The demo school's price list: an offer on each course published on its domains
(registered with ``apps.core.demo``; runs after the catalog's demo, which publishes them)."""

from django.db import transaction

from apps.catalog.models import PublishedCourse
from apps.commerce.services.offers import offer_create
from apps.schools.models import School

# The demo's prices, in US cents, by position among the school's published courses; the
# first is free, as a taster.
DEMO_PRICES_CENTS = (0, 4900, 9900)


@transaction.atomic
def seed_demo_commerce(school: School) -> None:
    """Price each published course without an offer once; a later run adds nothing."""
    published = (
        PublishedCourse.objects.filter(school=school, offer__isnull=True)
        .select_related("course")
        .order_by("id")
    )
    for position, publication in enumerate(published):
        offer_create(
            school=school,
            published_course=publication,
            price_cents=DEMO_PRICES_CENTS[position % len(DEMO_PRICES_CENTS)],
            currency_code="USD",
            sku=f"DEMO-{publication.slug.upper()}"[:100],
            description=f"{publication.course.title}, lifetime access",
        )
