"""Plan rules (money, interval, trial) and the processor registry."""

from datetime import UTC, datetime

import pytest

from apps.commerce import processors
from apps.commerce.models import SubscriptionPlan
from apps.commerce.processors import ChargeRequest, ChargeStatus, get_processor
from apps.commerce.services.subscriptions import (
    subscription_plan_create,
    subscription_plan_update,
)
from apps.core.errors import InvalidInput
from tests.factories import PublishedCourseFactory, SubscriptionPlanFactory

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Monthly",
    "interval": "month",
    "price_cents": 2900,
    "currency_code": "USD",
}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"price_cents": -1}, "invalid_price", "price_cents"),
        ({"price_cents": 10.5}, "invalid_price", "price_cents"),
        ({"price_cents": 100.0}, "invalid_price", "price_cents"),
        ({"price_cents": True}, "invalid_price", "price_cents"),
        ({"price_cents": 10**15 + 1}, "invalid_price", "price_cents"),
        ({"currency_code": "usd"}, "invalid_currency", "currency_code"),
        ({"currency_code": "XYZ"}, "invalid_currency", "currency_code"),
        ({"interval": "week"}, "invalid_interval", "interval"),
        ({"interval_count": 0}, "invalid_interval", "interval_count"),
        ({"interval_count": 37}, "invalid_interval", "interval_count"),
        ({"trial_days": 731}, "invalid_interval", "trial_days"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_written(school, fields, code, field):
    # when / then
    with pytest.raises(InvalidInput) as refused:
        subscription_plan_create(school=school, **{**VALID, **fields})
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not SubscriptionPlan.objects.exists()


def test_a_plan_takes_the_largest_amount_and_a_zero_decimal_currency(school):
    # when
    plan = subscription_plan_create(
        school=school, **{**VALID, "price_cents": 10**15, "currency_code": "JPY"}
    )

    # then
    assert (plan.price_cents, plan.currency_code) == (10**15, "JPY")


def test_another_schools_course_cannot_join_a_plan(school, other_school):
    # given
    theirs = PublishedCourseFactory(school=other_school)

    # when / then
    with pytest.raises(InvalidInput) as refused:
        subscription_plan_create(school=school, published_courses=[theirs], **VALID)
    assert refused.value.code == "does_not_exist"
    assert not SubscriptionPlan.objects.exists()


def test_an_update_is_checked_against_the_plan_as_it_would_be(school):
    # given
    plan = SubscriptionPlanFactory(school=school, currency_code="KWD", price_cents=1500)

    # when
    with pytest.raises(InvalidInput):
        subscription_plan_update(plan=plan, currency_code="kwd")
    updated = subscription_plan_update(plan=plan, interval="year", interval_count=2)

    # then
    plan.refresh_from_db()
    assert (plan.currency_code, plan.interval, plan.interval_count) == ("KWD", "year", 2)
    assert updated.period_start(datetime(2024, 2, 29, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, tzinfo=UTC
    )


def test_the_manual_processor_leaves_a_charge_pending_and_unknown_names_are_refused():
    # when
    result = get_processor("manual").charge(
        ChargeRequest(
            school_id="sch_1",
            reference="ins_1",
            customer_id="usr_1",
            amount_cents=2900,
            currency_code="USD",
        )
    )

    # then
    assert result.status == ChargeStatus.PENDING
    assert result.order_id == ""
    assert result.response["reference"] == "ins_1"
    assert "manual" in processors.processor_names()
    with pytest.raises(InvalidInput) as refused:
        get_processor("stripe")
    assert refused.value.code == "unknown_payment_processor"
