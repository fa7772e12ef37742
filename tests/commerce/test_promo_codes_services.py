"""``promo_code_redeem``: the price a code gives, its count and the once-per-person rule."""

import pytest

from apps.commerce.models import PromoCodeRedemption
from apps.commerce.services.promo_codes import PromoCodeRefused, promo_code_redeem
from apps.core.money import percent_of
from tests.factories import OfferFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("price", "percent", "new_price"),
    [
        (999, 50, 499),  # 499.5 off rounds half to even: 500 off
        (997, 50, 499),  # 498.5 off rounds half to even: 498 off
        (1000, 15, 850),
        (1, 50, 1),  # 0.5 off rounds to 0
        (3, 50, 1),  # 1.5 off rounds to 2
        (12345, 100, 0),
        (0, 30, 0),
    ],
)
def test_percent_off_rounds_half_to_even_through_money(school, price, percent, new_price):
    # given
    offer = OfferFactory(school=school, price_cents=price)
    code = PromoCodeFactory(school=school, pool__percent_off=percent, pool__offers=[offer])

    # when
    after, redemption = promo_code_redeem(code, offer, None, price)

    # then
    assert after == new_price == price - percent_of(price, percent)
    assert (redemption.price_cents_before, redemption.price_cents_after) == (price, new_price)


def test_redeem_counts_each_use_and_refuses_past_max_uses(school):
    # given
    offer = OfferFactory(school=school)
    code = PromoCodeFactory(school=school, max_uses=2, pool__offers=[offer])

    # when
    promo_code_redeem(code.code, offer, None, 1000)
    promo_code_redeem(code.code, offer, None, 1000)
    with pytest.raises(PromoCodeRefused) as refused:
        promo_code_redeem(code.code, offer, None, 1000)

    # then
    assert refused.value.code == "code_exhausted"
    code.refresh_from_db()
    assert code.uses == 2
    assert PromoCodeRedemption.objects.filter(code=code).count() == 2


def test_redeem_by_text_is_case_sensitive_and_per_school(school, other_school):
    offer = OfferFactory(school=school)
    PromoCodeFactory(school=other_school, code="THEIRS")
    PromoCodeFactory(school=school, code="Mine", pool__offers=[offer])

    for text in ("THEIRS", "mine"):
        with pytest.raises(PromoCodeRefused) as refused:
            promo_code_redeem(text, offer, None, 1000)
        assert refused.value.code == "code_not_found"
    assert promo_code_redeem("Mine", offer, None, 1000)[0] == 800


def test_single_use_per_user_refuses_a_second_use_and_counts_nothing(school, learner):
    # given
    offer = OfferFactory(school=school)
    code = PromoCodeFactory(
        school=school, max_uses=10, pool__single_use_per_user=True, pool__offers=[offer]
    )
    promo_code_redeem(code, offer, learner.user, 1000)

    # when
    with pytest.raises(PromoCodeRefused) as refused:
        promo_code_redeem(code, offer, learner.user, 1000)

    # then: another person and an anonymous use still work
    assert refused.value.code == "code_already_used"
    code.refresh_from_db()
    assert code.uses == 1
    promo_code_redeem(code, offer, None, 1000)
    code.refresh_from_db()
    assert code.uses == 2


def test_price_override_never_raises_the_price(school):
    offer = OfferFactory(school=school, price_cents=300)
    code = PromoCodeFactory(
        school=school,
        pool__discount_type="PRICE_OVERRIDE",
        pool__percent_off=None,
        pool__price_cents=500,
        pool__currency_code="USD",
        pool__offers=[offer],
    )

    assert promo_code_redeem(code, offer, None, 300)[0] == 300
