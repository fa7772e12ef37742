"""``affiliates`` and ``leads``: who refers buyers, whom they referred, what they earn."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.commerce.models import Affiliate
from apps.commerce.services.affiliates import (
    affiliate_commission_record,
    affiliate_commissions_pay,
    lead_record,
)
from apps.core.errors import InvalidInput
from tests.factories import (
    AffiliateCommissionFactory,
    AffiliateFactory,
    LeadFactory,
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/affiliates"


def test_post_on_a_user_makes_them_an_affiliate_once(api_client, school):
    # given
    user = MemberFactory(school=school).user

    # when
    first = api_client.post(
        f"{URL}/{user.id}", {"commission_percent": 25, "hold_days": 14}, format="json"
    )
    again = api_client.post(f"{URL}/{user.id}", {}, format="json")

    # then
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["id"].startswith("afl_")
    assert (data["user_id"], data["email"]) == (user.id, user.email)
    assert (data["commission_percent"], data["hold_days"]) == (25, 14)
    assert again.status_code == 200
    assert again.json() == data
    assert api_client.get(f"{URL}/{user.id}").json() == data
    assert [row["id"] for row in api_client.get(URL).json()["results"]] == [data["id"]]


def test_a_commission_above_100_percent_is_400(api_client, school):
    user = MemberFactory(school=school).user

    response = api_client.post(f"{URL}/{user.id}", {"commission_percent": 101}, format="json")

    assert response.status_code == 400
    assert "commission_percent" in response.json()["errors"]
    assert not Affiliate.objects.exists()


def test_another_schools_user_cannot_be_made_an_affiliate(api_client, other_school):
    theirs = MemberFactory(school=other_school).user

    assert api_client.post(f"{URL}/{theirs.id}", {}, format="json").status_code == 404
    assert not Affiliate.objects.exists()


def test_a_referred_customers_purchase_earns_the_commission_once(school):
    # given: an affiliate at 20 % with 30 days' hold referred a buyer
    affiliate = AffiliateFactory(school=school, commission_percent=20, hold_days=30)
    buyer = MemberFactory(school=school).user
    lead_record(affiliate=affiliate, email=buyer.email.upper())
    paid_at = timezone.now()

    # when: the purchase is recorded twice
    first = affiliate_commission_record(
        customer=buyer, purchase_id="pur_1", paid_cents=4999, currency_code="USD", earned_at=paid_at
    )
    again = affiliate_commission_record(
        customer=buyer, purchase_id="pur_1", paid_cents=4999, currency_code="USD"
    )

    # then: one commission, 20 % of 49.99 rounded half to even, payable in 30 days
    assert again == first
    assert first.commission_cents == 1000
    assert first.payable_at == paid_at + timedelta(days=30)
    assert first.affiliate == affiliate
    assert affiliate.leads.get().user == buyer


def test_nobody_earns_on_an_unreferred_buyer_or_on_their_own_purchase(school):
    affiliate = AffiliateFactory(school=school)
    lead_record(affiliate=affiliate, email=affiliate.user.email)
    stranger = MemberFactory(school=school).user

    own = affiliate_commission_record(
        customer=affiliate.user, purchase_id="pur_2", paid_cents=100, currency_code="USD"
    )
    unreferred = affiliate_commission_record(
        customer=stranger, purchase_id="pur_3", paid_cents=100, currency_code="USD"
    )

    assert own is None
    assert unreferred is None


def test_the_first_referral_of_an_email_wins(school):
    first, second = AffiliateFactory(school=school), AffiliateFactory(school=school)

    lead, created = lead_record(affiliate=first, email="ann@example.test")
    same, created_again = lead_record(affiliate=second, email="ANN@example.test")

    assert (created, created_again) == (True, False)
    assert same == lead
    assert same.affiliate == first


def test_leads_customers_and_payments_of_an_affiliate(api_client, school):
    # given: two leads, one of whom bought
    affiliate = AffiliateFactory(school=school)
    buyer = MemberFactory(school=school).user
    bought, _ = lead_record(affiliate=affiliate, email=buyer.email, user=buyer)
    browsing, _ = lead_record(affiliate=affiliate, email="maybe@example.test")
    commission = affiliate_commission_record(
        customer=buyer, purchase_id="pur_9", paid_cents=10000, currency_code="EUR"
    )
    base = f"{URL}/{affiliate.user_id}"

    # when
    leads = api_client.get(f"{base}/leads").json()["results"]
    customers = api_client.get(f"{base}/customers").json()["results"]
    payments = api_client.get(f"{base}/payments").json()["results"]
    all_leads = api_client.get("/api/v1/leads").json()["results"]

    # then
    assert [row["id"] for row in leads] == [browsing.id, bought.id]
    assert [row["id"] for row in customers] == [bought.id]
    assert customers[0]["user_id"] == buyer.id
    assert [row["id"] for row in payments] == [commission.id]
    assert payments[0]["commission_cents"] == 2000
    assert payments[0]["currency_code"] == "EUR"
    assert payments[0]["state"] == "upcoming"
    assert {row["id"] for row in all_leads} == {bought.id, browsing.id}


def test_payouts_are_upcoming_then_due_then_completed(api_client, school):
    # given: one commission still held, one past its hold, one paid
    affiliate = AffiliateFactory(school=school)
    now = timezone.now()
    held = AffiliateCommissionFactory(school=school, affiliate=affiliate, earned_at=now)
    payable = AffiliateCommissionFactory(
        school=school, affiliate=affiliate, earned_at=now - timedelta(days=31)
    )
    paid = AffiliateCommissionFactory(
        school=school, affiliate=affiliate, earned_at=now - timedelta(days=60), paid_at=now
    )
    url = f"{URL}/{affiliate.user_id}/payments"

    def ids(state: str) -> list[str]:
        return [row["id"] for row in api_client.get(url, {"state": state}).json()["results"]]

    # when / then
    assert ids("upcoming") == [held.id]
    assert ids("due") == [payable.id]
    assert ids("completed") == [paid.id]
    assert affiliate_commissions_pay(affiliate=affiliate) == 1
    assert ids("due") == []
    assert set(ids("completed")) == {paid.id, payable.id}
    assert api_client.get(url, {"state": "later"}).status_code == 400


def test_list_runs_constant_queries(api_client, school):
    for _ in range(4):
        LeadFactory(school=school)
    api_client.get("/api/v1/leads")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/leads", {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get("/api/v1/leads", {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_another_schools_affiliate_is_404(api_client, other_school):
    theirs = AffiliateFactory(school=other_school)
    LeadFactory(school=other_school, affiliate=theirs)

    assert api_client.get(f"{URL}/{theirs.user_id}").status_code == 404
    assert api_client.get(f"{URL}/{theirs.user_id}/leads").status_code == 404
    assert api_client.get(f"{URL}/{theirs.user_id}/payments").status_code == 404
    assert api_client.get(URL).json()["results"] == []
    assert api_client.get("/api/v1/leads").json()["results"] == []


def test_a_lead_with_another_schools_account_is_refused(school, other_school):
    affiliate = AffiliateFactory(school=school)

    with pytest.raises(InvalidInput, match="does not exist"):
        lead_record(
            affiliate=affiliate, email="x@example.test", user=UserFactory(school=other_school)
        )


def test_learner_tokens_are_refused(user_client, school):
    affiliate = AffiliateFactory(school=school)

    assert user_client.get(URL).status_code == 403
    assert user_client.get("/api/v1/leads").status_code == 403
    assert user_client.post(f"{URL}/{affiliate.user_id}", {}, format="json").status_code == 403
