import io

import pytest
from django.core.management import call_command

from apps.catalog.models import PublishedCourse
from apps.commerce.models import Offer, Plan, SubscriptionPlan, UserSubscription
from apps.enrollments.models import Enrollment
from apps.schools.management.commands import seed_demo
from apps.schools.models import School

pytestmark = pytest.mark.django_db


def test_seed_demo_prices_each_published_course_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then: one offer per published course, the first free
    school = School.objects.get(slug="demo")
    published = PublishedCourse.objects.filter(school=school)
    offers = Offer.objects.filter(school=school, published_course__isnull=False).order_by(
        "published_course_id"
    )
    assert published.count() == 2
    assert [offer.published_course_id for offer in offers] == sorted(p.id for p in published)
    assert [offer.price_cents for offer in offers] == [0, 4900]
    assert {offer.currency_code for offer in offers} == {"USD"}


def test_seed_demo_makes_one_plan_with_an_offer(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then: one plan granting the published courses of its domain, priced once
    school = School.objects.get(slug="demo")
    (plan,) = Plan.objects.filter(school=school)
    published = PublishedCourse.objects.filter(school=school, domain=plan.domain)
    assert set(plan.courses.values_list("id", flat=True)) == {p.course_id for p in published}
    assert plan.offer.price_cents == 12900
    assert plan.offer.registration_url == f"https://{plan.domain.name}/checkout/{plan.offer.id}"


def test_seed_demo_subscribes_the_demo_learner_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then: one monthly plan with a trial, and the demo learner in it, with its courses
    school = School.objects.get(slug="demo")
    (plan,) = SubscriptionPlan.objects.filter(school=school)
    assert (plan.interval, plan.price_cents, plan.trial_days) == ("month", 1900, 7)
    assert plan.published_courses.exists()
    (subscription,) = UserSubscription.objects.filter(school=school)
    assert subscription.plan == plan
    assert subscription.user.email == seed_demo.LEARNER_EMAIL
    assert subscription.status == "trialing"
    assert (
        Enrollment.objects.filter(
            user=subscription.user, published_course__in=plan.published_courses.all()
        ).count()
        == plan.published_courses.count()
    )
