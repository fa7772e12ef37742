"""Affiliates' payout lists (``payouts/completed|due|upcoming``), paying what is due,
recording leads, and commissions taken back when a purchase is refunded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.commerce.models import AffiliateCommission, Lead
from apps.commerce.services.affiliates import affiliate_commissions_pay, lead_record
from apps.commerce.services.purchases import purchase_create, purchase_fulfill, purchase_update
from tests.factories import (
    AffiliateCommissionFactory,
    AffiliateFactory,
    MemberFactory,
    OfferFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/affiliates"
STATES = ["completed", "due", "upcoming"]


@pytest.fixture
def affiliate(school):
    return AffiliateFactory(school=school)


@pytest.fixture
def commissions(school, affiliate):
    now = timezone.now()
    return {
        "upcoming": AffiliateCommissionFactory(school=school, affiliate=affiliate, earned_at=now),
        "due": AffiliateCommissionFactory(
            school=school, affiliate=affiliate, earned_at=now - timedelta(days=31)
        ),
        "completed": AffiliateCommissionFactory(
            school=school, affiliate=affiliate, earned_at=now - timedelta(days=60), paid_at=now
        ),
    }


@pytest.mark.parametrize("state", STATES)
def test_each_payout_list_is_the_payments_in_that_state(api_client, affiliate, commissions, state):
    # when
    response = api_client.get(f"{URL}/{affiliate.user_id}/payouts/{state}")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["results"]] == [commissions[state].id]
    assert body["results"][0]["state"] == state
    same = api_client.get(f"{URL}/{affiliate.user_id}/payments", {"state": state}).json()
    assert body == same


def test_paying_marks_the_due_commissions_completed(api_client, affiliate, commissions):
    # when
    response = api_client.post(f"{URL}/{affiliate.user_id}/payouts/due")

    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"paid": 1}
    assert api_client.get(f"{URL}/{affiliate.user_id}/payouts/due").json()["results"] == []
    completed = api_client.get(f"{URL}/{affiliate.user_id}/payouts/completed").json()
    assert {row["id"] for row in completed["results"]} == {
        commissions["completed"].id,
        commissions["due"].id,
    }
    upcoming = api_client.get(f"{URL}/{affiliate.user_id}/payouts/upcoming").json()
    assert [row["id"] for row in upcoming["results"]] == [commissions["upcoming"].id]


@pytest.mark.parametrize("state", ["completed", "upcoming"])
def test_only_due_payouts_are_paid(api_client, affiliate, state):
    response = api_client.post(f"{URL}/{affiliate.user_id}/payouts/{state}")

    assert response.status_code == 405


def test_payout_lists_run_constant_queries(api_client, school, affiliate):
    for _ in range(4):
        AffiliateCommissionFactory(
            school=school, affiliate=affiliate, earned_at=timezone.now() - timedelta(days=40)
        )
    url = f"{URL}/{affiliate.user_id}/payouts/due"
    api_client.get(url)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get(url, {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_another_schools_affiliate_is_404_on_payouts_and_leads(api_client, other_school):
    theirs = AffiliateFactory(school=other_school)
    due = AffiliateCommissionFactory(
        school=other_school, affiliate=theirs, earned_at=timezone.now() - timedelta(days=40)
    )

    responses = [
        *(api_client.get(f"{URL}/{theirs.user_id}/payouts/{state}") for state in STATES),
        api_client.post(f"{URL}/{theirs.user_id}/payouts/due"),
        api_client.post(f"{URL}/{theirs.user_id}/leads", {"email": "a@example.test"}),
    ]

    for response in responses:
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "not_found"
    due.refresh_from_db()
    assert due.paid_at is None
    assert not Lead.objects.filter(email="a@example.test").exists()


def test_learner_tokens_are_refused_on_payouts_and_leads(user_client, school):
    affiliate = AffiliateFactory(school=school)

    for state in STATES:
        assert user_client.get(f"{URL}/{affiliate.user_id}/payouts/{state}").status_code == 403
    assert user_client.post(f"{URL}/{affiliate.user_id}/payouts/due").status_code == 403
    response = user_client.post(
        f"{URL}/{affiliate.user_id}/leads", {"email": "a@example.test"}, format="json"
    )
    assert response.status_code == 403


def test_recording_a_lead_once(api_client, school, affiliate):
    # given
    person = MemberFactory(school=school).user

    # when
    first = api_client.post(
        f"{URL}/{affiliate.user_id}/leads",
        {"email": person.email, "user_id": person.id},
        format="json",
    )
    again = api_client.post(
        f"{URL}/{affiliate.user_id}/leads", {"email": person.email.upper()}, format="json"
    )

    # then
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["id"].startswith("led_")
    assert (data["email"], data["user_id"], data["affiliate_id"]) == (
        person.email,
        person.id,
        affiliate.id,
    )
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    listed = api_client.get(f"{URL}/{affiliate.user_id}/leads").json()["results"]
    assert [row["id"] for row in listed] == [data["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.test", "user_id": "usr_nope"}, "user_id"),
    ],
)
def test_a_bad_lead_is_400(api_client, affiliate, body, field):
    response = api_client.post(f"{URL}/{affiliate.user_id}/leads", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Lead.objects.exists()


def test_a_lead_with_another_schools_user_is_400(api_client, affiliate, other_school):
    theirs = MemberFactory(school=other_school).user

    response = api_client.post(
        f"{URL}/{affiliate.user_id}/leads",
        {"email": "a@example.test", "user_id": theirs.id},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert not Lead.objects.exists()


# --- refunds take commissions back -------------------------------------------------------------


def _referred_purchase(school, affiliate):
    buyer = MemberFactory(school=school).user
    lead_record(affiliate=affiliate, email=buyer.email, user=buyer)
    offer = OfferFactory(school=school)
    purchase = purchase_create(school=school, offer=offer, user=buyer)
    purchase_fulfill(purchase=purchase, state="SUCCESS")
    return purchase, AffiliateCommission.objects.get(purchase_id=purchase.id)


def test_a_refund_before_payout_reverses_the_commission(api_client, school, affiliate):
    # given
    purchase, commission = _referred_purchase(school, affiliate)
    assert commission.commission_cents > 0

    # when
    purchase_update(purchase=purchase, state="REFUNDED")

    # then: never paid, in no payout list
    commission.refresh_from_db()
    assert commission.reversed_at is not None
    later = timezone.now() + timedelta(days=365)
    assert affiliate_commissions_pay(affiliate=affiliate, now=later) == 0
    for state in STATES:
        url = f"{URL}/{affiliate.user_id}/payouts/{state}"
        assert api_client.get(url).json()["results"] == []
    reversed_ = api_client.get(f"{URL}/{affiliate.user_id}/payments", {"state": "reversed"})
    assert [row["id"] for row in reversed_.json()["results"]] == [commission.id]
    assert AffiliateCommission.objects.count() == 1


def test_a_refund_after_payout_records_a_clawback_due_now(api_client, school, affiliate):
    # given: the commission was paid out
    purchase, commission = _referred_purchase(school, affiliate)
    affiliate_commissions_pay(affiliate=affiliate, now=timezone.now() + timedelta(days=31))

    # when: refunded, twice asked
    purchase_update(purchase=purchase, state="REFUNDED")
    purchase_update(purchase=purchase, state="REFUNDED", refund_cents=0)

    # then: one negative commission, due at once, netted by the next payout
    clawback = AffiliateCommission.objects.get(reversal_of=commission)
    assert clawback.commission_cents == -commission.commission_cents
    assert clawback.sale_cents == -commission.sale_cents
    assert clawback.purchase_id == f"{purchase.id}:refund"
    due = api_client.get(f"{URL}/{affiliate.user_id}/payouts/due").json()["results"]
    assert [(row["id"], row["commission_cents"], row["reversal_of_id"]) for row in due] == [
        (clawback.id, -commission.commission_cents, commission.id)
    ]
    assert api_client.post(f"{URL}/{affiliate.user_id}/payouts/due").json() == {"paid": 1}
    assert AffiliateCommission.objects.count() == 2
