"""The demo school's price list: an offer on each course published on its domains, one
plan granting all of them, with its own offer, and a monthly subscription plan the demo
learner subscribes to (registered with ``apps.core.demo``; runs after the catalog's demo,
which publishes them, and after the demo people are made)."""

from django.db import transaction

from apps.catalog.models import PublishedCourse
from apps.commerce.models import Plan, SubscriptionPlan
from apps.commerce.services.offers import offer_create
from apps.commerce.services.plans import plan_create
from apps.commerce.services.subscriptions import subscription_create, subscription_plan_create
from apps.schools.models import Member, School

# The demo's prices, in US cents, by position among the school's published courses; the
# first is free, as a taster.
DEMO_PRICES_CENTS = (0, 4900, 9900)
# The demo plan: every published course of its domain, for less than buying them one by one.
DEMO_PLAN_TITLE = "All Access"
DEMO_PLAN_PRICE_CENTS = 12900
# The demo subscription plan: monthly, with a week's trial, giving the first domain's courses.
DEMO_SUBSCRIPTION_TITLE = "Monthly Membership"
DEMO_SUBSCRIPTION_PRICE_CENTS = 1900
DEMO_SUBSCRIPTION_TRIAL_DAYS = 7


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
    _seed_demo_subscription(school)


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


def _seed_demo_subscription(school: School) -> None:
    """A monthly subscription plan giving the courses published on the first course's
    domain, and the demo learner (the school's first learner) subscribed to it, in its
    trial; nothing when the school has a subscription plan already."""
    if SubscriptionPlan.objects.filter(school=school).exists():
        return
    published = list(PublishedCourse.objects.filter(school=school).order_by("id"))
    domain_id = published[0].domain_id if published else None
    plan = subscription_plan_create(
        school=school,
        title=DEMO_SUBSCRIPTION_TITLE,
        description="Every course on the demo domain, billed monthly.",
        interval="month",
        price_cents=DEMO_SUBSCRIPTION_PRICE_CENTS,
        currency_code="USD",
        trial_days=DEMO_SUBSCRIPTION_TRIAL_DAYS,
        published_courses=[p for p in published if p.domain_id == domain_id],
    )
    learner = (
        Member.objects.filter(school=school, role=Member.Role.LEARNER)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if learner is not None:
        subscription_create(school=school, user=learner.user, plan=plan, member=learner)
