"""Staff make plans, subscribe people and cancel in the admin, through the services."""

import pytest

from apps.commerce.models import SubscriptionPlan, UserSubscription
from apps.commerce.services.subscriptions import subscription_create
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import (
    DomainFactory,
    MemberFactory,
    PublishedCourseFactory,
    SubscriptionPlanFactory,
)

pytestmark = pytest.mark.django_db

PLANS = "/admin/commerce/subscriptionplan/"
SUBS = "/admin/commerce/usersubscription/"


def _plan_form(**fields) -> dict:
    return {
        "title": "Monthly",
        "description": "",
        "interval": "month",
        "interval_count": "1",
        "price_cents": "2900",
        "currency_code": "USD",
        "trial_days": "0",
        "active": "on",
        **fields,
    }


def _inline() -> dict:
    return {
        "installments-TOTAL_FORMS": "0",
        "installments-INITIAL_FORMS": "0",
        "installments-MIN_NUM_FORMS": "0",
        "installments-MAX_NUM_FORMS": "1000",
    }


def test_adding_a_plan_saves_it_with_its_courses(staff_client, school):
    # given
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))

    # when
    response = staff_client.post(f"{PLANS}add/", _plan_form(published_courses=[published.pk]))

    # then
    assert response.status_code == 302, response.content[:2000]
    plan = SubscriptionPlan.objects.get()
    assert (plan.school, plan.price_cents) == (school, 2900)
    assert list(plan.published_courses.all()) == [published]


def test_a_bad_plan_is_shown_again_with_the_refusal(staff_client, school):
    # when
    response = staff_client.post(f"{PLANS}add/", _plan_form(currency_code="usd"))

    # then
    assert response.status_code == 200
    assert not SubscriptionPlan.objects.exists()


def test_the_plan_form_offers_only_the_schools_courses(staff_client, school, other_school):
    # given
    theirs = PublishedCourseFactory(school=other_school)

    # when
    page = staff_client.get(f"{PLANS}add/")

    # then
    assert page.status_code == 200
    assert theirs.pk not in page.content.decode()


def test_subscribing_in_the_admin_goes_through_the_service(staff_client, school):
    # given
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    plan = SubscriptionPlanFactory(school=school, published_courses=[published])
    member = MemberFactory(school=school)

    # when
    response = staff_client.post(
        f"{SUBS}add/",
        {"user": member.user_id, "plan": plan.pk, "payment_processor": "manual", **_inline()},
    )

    # then
    assert response.status_code == 302, response.content[:3000]
    subscription = UserSubscription.objects.get()
    assert (subscription.user, subscription.status) == (member.user, "active")
    assert Enrollment.objects.filter(user=member.user).count() == 1
    assert Event.objects.filter(school=school, type="subscription.created").count() == 1


def test_status_filter_and_cancel_action(staff_client, school):
    # given
    plan = SubscriptionPlanFactory(school=school)
    subscription = subscription_create(
        school=school, user=MemberFactory(school=school).user, plan=plan
    )

    # when
    listed = staff_client.get(SUBS, {"status__exact": "active"})
    acted = staff_client.post(SUBS, {"action": "cancel_now", "_selected_action": [subscription.pk]})

    # then
    assert listed.status_code == 200
    assert subscription.pk in listed.content.decode()
    assert acted.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == "cancelled"
    assert Event.objects.filter(school=school, type="subscription.cancelled").count() == 1


def test_cancelling_a_cancelled_subscription_is_an_error_message(staff_client, school):
    # given
    plan = SubscriptionPlanFactory(school=school)
    subscription = subscription_create(
        school=school, user=MemberFactory(school=school).user, plan=plan
    )
    staff_client.post(SUBS, {"action": "cancel_now", "_selected_action": [subscription.pk]})

    # when
    response = staff_client.post(
        SUBS, {"action": "cancel_now", "_selected_action": [subscription.pk]}, follow=True
    )

    # then
    assert "already cancelled" in response.content.decode()
    assert Event.objects.filter(school=school, type="subscription.cancelled").count() == 1
