"""The demo school's price list: an offer on each course published on its domains, and one
plan granting all of them, with its own offer (registered with ``apps.core.demo``; runs
after the catalog's demo, which publishes them)."""

from django.db import transaction

from apps.catalog.models import PublishedCourse
from apps.commerce.models import Plan
from apps.commerce.services.offers import offer_create
from apps.commerce.services.plans import plan_create
from apps.schools.models import School

# The demo's prices, in US cents, by position among the school's published courses; the
# first is free, as a taster.
DEMO_PRICES_CENTS = (0, 4900, 9900)
# The demo plan: every published course of its domain, for less than buying them one by one.
DEMO_PLAN_TITLE = "All Access"
DEMO_PLAN_PRICE_CENTS = 12900


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
    _seed_demo_plan(school)


def _seed_demo_plan(school: School) -> None:
    """One plan on the domain of the first published course, granting the courses published
    there, and its offer; nothing when the school has a plan already or publishes no course."""
    if Plan.objects.filter(school=school).exists():
        return
    published = list(
        PublishedCourse.objects.filter(school=school)
        .select_related("domain", "course")
        .order_by("id")
    )
    if not published:
        return
    domain = published[0].domain
    courses = [p.course for p in published if p.domain_id == domain.pk]
    plan = plan_create(domain=domain, title=DEMO_PLAN_TITLE, slug="all-access", courses=courses)
    offer_create(
        school=school,
        plan=plan,
        price_cents=DEMO_PLAN_PRICE_CENTS,
        currency_code="USD",
        sku="DEMO-ALL-ACCESS",
        description=f"{DEMO_PLAN_TITLE}: every course on {domain.name}",
    )
