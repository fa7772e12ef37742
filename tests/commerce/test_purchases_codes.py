"""Purchases priced with promo codes and training credits, and offers on plans: the codes
are spent in the purchase's transaction, fulfilment grants what the offer sells."""

import pytest

from apps.commerce.models import PlanEnrollment, PromoCode, Purchase, TrainingCreditCode
from apps.commerce.models.credits import TrainingCreditSpend
from apps.enrollments.models import Enrollment
from tests.factories import (
    AffiliateFactory,
    LeadFactory,
    MemberFactory,
    OfferFactory,
    PlanCourseFactory,
    PlanFactory,
    PromoCodeFactory,
    PromoCodePoolFactory,
    TrainingCreditCodeFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/purchases"


@pytest.fixture
def member(school):
    return MemberFactory(school=school)


def _buy(api_client, offer, member, **extra):
    body = {"offer_id": offer.id, "user_id": member.user_id, **extra}
    return api_client.post(URL, body, format="json")


def _fulfil(api_client, purchase_id):
    return api_client.post(f"{URL}/{purchase_id}/fulfill", {"state": "SUCCESS"}, format="json")


def test_a_promo_code_takes_its_discount_and_is_counted_once(api_client, school, member):
    # given: a 20%-off code usable once, on the offer
    offer = OfferFactory(school=school, price_cents=9999)
    pool = PromoCodePoolFactory(school=school, percent_off=20, offers=[offer])
    PromoCodeFactory(school=school, pool=pool, code="SPRING-20", max_uses=1)

    # when
    first = _buy(api_client, offer, member, promo_code="SPRING-20")
    second = _buy(api_client, offer, MemberFactory(school=school), promo_code="SPRING-20")

    # then: the price is the offer's less 20% (half to even), the code names itself
    assert first.status_code == 201, first.content
    assert first.json()["price_cents"] == 7999
    assert first.json()["code_used"] == "SPRING-20"
    assert first.json()["promo_code_percent_off"] == 20
    # and the second use is refused, nothing written for it
    assert second.status_code == 400
    assert second.json()["code"] == "code_exhausted"
    assert "promo_code" in second.json()["errors"]
    assert Purchase.objects.count() == 1
    assert PromoCode.objects.get(code="SPRING-20").uses == 1


def test_a_code_of_a_pool_not_on_the_offer_is_refused(api_client, school, member):
    offer = OfferFactory(school=school)
    PromoCodeFactory(school=school, code="ELSEWHERE")

    response = _buy(api_client, offer, member, promo_code="ELSEWHERE")

    assert response.status_code == 400
    assert "promo_code" in response.json()["errors"]
    assert not Purchase.objects.exists()
    assert PromoCode.objects.get(code="ELSEWHERE").uses == 0


def test_training_credits_pay_the_offer_and_the_spend_learns_what_it_bought(
    api_client, school, member
):
    # given: an offer worth 3 credits and a code of 10
    offer = OfferFactory(school=school, price_cents=5000, training_credit_value=3)
    TrainingCreditCodeFactory(school=school, training_credit_code="TEAM-A", credits_total=10)

    # when
    created = _buy(api_client, offer, member, training_credit_code="team-a")
    fulfilled = _fulfil(api_client, created.json()["id"])

    # then
    assert created.status_code == 201, created.content
    assert created.json()["price_cents"] == 0
    assert created.json()["training_credits_used"] == 3
    assert TrainingCreditCode.objects.get().credits_remaining == 7
    assert fulfilled.status_code == 200, fulfilled.content
    enrollment = Enrollment.objects.get(user=member.user)
    assert TrainingCreditSpend.objects.get().enrollment_id == enrollment.pk


def test_credits_short_of_the_offer_refuse_the_purchase_and_spend_nothing(
    api_client, school, member
):
    offer = OfferFactory(school=school, training_credit_value=30)
    TrainingCreditCodeFactory(school=school, training_credit_code="SMALL", credits_total=10)

    response = _buy(api_client, offer, member, training_credit_code="SMALL")

    assert response.status_code == 409
    assert response.json()["code"] == "training_credits_insufficient"
    assert not Purchase.objects.exists()
    assert TrainingCreditCode.objects.get().credits_remaining == 10


def test_a_plan_offer_fulfilled_twice_enrolls_in_the_plan_once_and_a_refund_ends_it(
    api_client, school, member
):
    # given: a plan of two courses, on sale
    plan = PlanFactory(school=school)
    PlanCourseFactory(school=school, plan=plan)
    PlanCourseFactory(school=school, plan=plan)
    offer = OfferFactory(school=school, published_course=None, plan=plan)
    purchase_id = _buy(api_client, offer, member).json()["id"]

    # when
    first = _fulfil(api_client, purchase_id)
    again = _fulfil(api_client, purchase_id)

    # then: one plan enrollment, its two courses granted, the block names the purchase
    assert first.status_code == 200, first.content
    assert again.status_code in (200, 409)
    plan_enrollment = PlanEnrollment.objects.get(user=member.user)
    assert plan_enrollment.purchase_id == purchase_id
    assert Enrollment.objects.filter(user=member.user, active=True).count() == 2

    # when: the purchase is refunded
    refunded = api_client.patch(f"{URL}/{purchase_id}", {"state": "REFUNDED"}, format="json")

    # then: the plan enrollment and the courses it granted end
    assert refunded.status_code == 200, refunded.content
    plan_enrollment.refresh_from_db()
    assert not plan_enrollment.active
    assert plan_enrollment.purchase_state == "REFUNDED"
    assert not Enrollment.objects.filter(user=member.user, active=True).exists()


def test_a_paid_purchase_by_a_referred_buyer_earns_the_affiliate_a_commission(
    api_client, school, member
):
    affiliate = AffiliateFactory(school=school)
    LeadFactory(school=school, affiliate=affiliate, user=member.user, bought=False)
    offer = OfferFactory(school=school, price_cents=10000)
    purchase_id = _buy(api_client, offer, member).json()["id"]

    _fulfil(api_client, purchase_id)
    _fulfil(api_client, purchase_id)

    commissions = list(affiliate.commissions.all())
    assert [c.purchase_id for c in commissions] == [purchase_id]
    assert commissions[0].commission_cents == 2000
