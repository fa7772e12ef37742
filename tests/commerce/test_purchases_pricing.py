"""Pricing steps: the order, the one rounding rule, the refusal of codes not yet redeemable."""

from decimal import Decimal

import pytest

from apps.commerce.services import pricing
from apps.commerce.services.pricing import Applied, PricingContext, price_quote
from apps.core.errors import InvalidInput
from apps.core.money import percent_of, percent_off
from tests.factories import GroupFactory, GroupMembershipFactory, MemberFactory, OfferFactory


@pytest.mark.parametrize(
    ("amount", "percent", "left"),
    [
        (10000, 10, 9000),
        (3333, 25, 2500),  # 833.25 off → 833
        (250, 1, 248),  # 2.5 off → 2 (half to even)
        (350, 1, 346),  # 3.5 off → 4 (half to even)
        (999, Decimal("12.5"), 874),  # 124.875 off → 125
        (1, 50, 1),  # 0.5 off → 0
        (100, 100, 0),
        (100, 150, 0),  # never below zero
        (0, 30, 0),
    ],
)
def test_percent_off_rounds_the_discount_half_to_even(amount, percent, left):
    assert percent_off(amount, percent) == left
    assert isinstance(percent_off(amount, percent), int)


def test_percent_off_is_the_amount_less_percent_of():
    for amount in range(0, 2000, 7):
        assert percent_off(amount, 15) == amount - percent_of(amount, 15)


@pytest.fixture
def context(db, school):
    member = MemberFactory(school=school)
    offer = OfferFactory(school=school, price_cents=10000)
    return PricingContext(school=school, offer=offer, user=member.user, member=member)


def test_steps_run_in_order_on_the_price_so_far(context):
    # given: two steps, each recording the price it saw
    seen = []

    def half(price, ctx):
        seen.append(("half", price))
        return price // 2, Applied("half", price, price // 2, columns={"code_used": "A"})

    def minus_one(price, ctx):
        seen.append(("minus_one", price))
        return price - 1, Applied("minus_one", price, price - 1, columns={"code_used": "B"})

    # when
    quote = price_quote(context, [half, minus_one])

    # then
    assert seen == [("half", 10000), ("minus_one", 5000)]
    assert (quote.offer_price_cents, quote.price_cents) == (10000, 4999)
    assert [a.step for a in quote.applied] == ["half", "minus_one"]
    assert quote.columns() == {"code_used": "B"}


@pytest.mark.parametrize("bad", [10001, -1, 1.5, True])
def test_a_step_may_not_raise_the_price_or_leave_a_non_integer(context, bad):
    with pytest.raises(ValueError, match="pricing step"):
        price_quote(context, [lambda price, ctx: (bad, None)])


def test_default_steps_are_group_discount_then_codes(context):
    # given: a 20 % group
    group = GroupFactory(school=context.school, discount_percent=20)
    GroupMembershipFactory(
        school=context.school, group=group, member=context.member, user=context.user
    )

    # when
    quote = price_quote(context)

    # then
    assert pricing.PRICING_STEP_NAMES == ("group_discount", "promo_code", "training_credit")
    assert [step.__name__ for step in pricing.PRICING_STEPS] == list(pricing.PRICING_STEP_NAMES)
    assert quote.price_cents == 8000
    assert quote.columns() == {"group_discount_percent": 20}


def test_a_group_of_another_member_gives_no_discount(context, school):
    # given: someone else's 50 % group
    other = MemberFactory(school=school)
    group = GroupFactory(school=school, discount_percent=50)
    GroupMembershipFactory(school=school, group=group, member=other, user=other.user)

    # when
    quote = price_quote(context)

    # then
    assert quote.price_cents == 10000
    assert quote.applied == ()


def test_an_unknown_code_is_refused_with_a_named_code(context):
    from dataclasses import replace

    with pytest.raises(InvalidInput) as refused:
        price_quote(replace(context, promo_code="X"))
    assert refused.value.code == "code_not_found"
    assert refused.value.field == "promo_code"
