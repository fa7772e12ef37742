"""``subscription-plans``, ``user-subscriptions`` (+ payments, cancel), ``installments/active``."""

import pytest
from freezegun import freeze_time

from apps.commerce.models import Installment, UserSubscription
from apps.commerce.services.subscriptions import subscription_create, subscriptions_renew_due
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import (
    DomainFactory,
    InstallmentFactory,
    MemberFactory,
    PublishedCourseFactory,
    SubscriptionPlanFactory,
    UserSubscriptionFactory,
)

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/subscription-plans"
SUBS = "/api/v1/user-subscriptions"
ACTIVE = "/api/v1/installments/active"


@pytest.fixture
def plan(school):
    domain = DomainFactory(school=school)
    return SubscriptionPlanFactory(
        school=school,
        title="All courses, monthly",
        price_cents=1999,
        currency_code="EUR",
        trial_days=0,
        published_courses=[PublishedCourseFactory(school=school, domain=domain)],
    )


@pytest.fixture
def member(school):
    return MemberFactory(school=school)


def test_plan_reads_back_interval_price_trial_and_courses(api_client, plan):
    # when
    listed = api_client.get(PLANS)
    one = api_client.get(f"{PLANS}/{plan.id}")

    # then
    assert listed.status_code == one.status_code == 200
    assert listed.json()["results"] == [one.json()]
    data = one.json()
    assert data["id"].startswith("spl_")
    assert data["title"] == "All courses, monthly"
    assert (data["interval"], data["interval_count"], data["trial_days"]) == ("month", 1, 0)
    assert data["price"] == {"amount": "19.99", "currency_code": "EUR"}
    assert (data["price_cents"], data["currency_code"]) == (1999, "EUR")
    assert data["published_course_ids"] == [plan.published_courses.get().id]
    assert data["active"] is True


def test_plans_page_by_twenty(api_client, school):
    # given
    for _ in range(21):
        SubscriptionPlanFactory(school=school)

    # when
    first = api_client.get(PLANS)
    asked_more = api_client.get(PLANS, {"page_size": 100})

    # then
    assert first.json()["count"] == 21
    assert len(first.json()["results"]) == 20
    assert first.json()["next"] is not None
    assert len(asked_more.json()["results"]) == 20


def test_subscribe_answers_the_subscription_and_grants_the_plan(api_client, school, plan, member):
    # when
    with freeze_time("2026-01-15T10:00:00Z"):
        response = api_client.post(
            SUBS, {"user_id": member.user_id, "plan_id": plan.id}, format="json"
        )

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("sub_")
    assert data["user"]["id"] == member.user_id
    assert data["user"]["email"] == member.user.email
    assert data["plan"] == {"id": plan.id, "title": plan.title}
    assert data["status"] == "active"
    assert data["current_period_start"] == "2026-01-15T10:00:00.000000Z"
    assert data["current_period_end"] == "2026-02-15T10:00:00.000000Z"
    assert data["trial_end"] is None
    assert data["cancel_at_period_end"] is False
    assert data["cancelled_at"] is None
    assert data["payment_processor"] == "manual"
    assert Enrollment.objects.filter(user=member.user).count() == 1
    assert api_client.get(f"{SUBS}/{data['id']}").json() == data


def test_subscribing_twice_is_409_and_bad_bodies_are_400(api_client, school, plan, member):
    # given
    body = {"user_id": member.user_id, "plan_id": plan.id}
    assert api_client.post(SUBS, body, format="json").status_code == 201

    # when
    again = api_client.post(SUBS, body, format="json")
    no_plan = api_client.post(SUBS, {"user_id": member.user_id}, format="json")
    stranger = api_client.post(SUBS, {**body, "user_id": "usr_nope"}, format="json")
    processor = api_client.post(SUBS, {**body, "payment_processor": "paypal"}, format="json")
    closed = SubscriptionPlanFactory(school=school, active=False)
    inactive = api_client.post(SUBS, {**body, "plan_id": closed.id}, format="json")

    # then
    assert (again.status_code, again.json()["code"]) == (409, "subscription_exists")
    assert no_plan.status_code == 400
    assert "plan_id" in no_plan.json()["errors"]
    assert stranger.status_code == 400
    assert "user_id" in stranger.json()["errors"]
    assert processor.status_code == 400
    assert "payment_processor" in processor.json()["errors"]
    assert (inactive.status_code, inactive.json()["code"]) == (409, "plan_inactive")
    assert UserSubscription.objects.count() == 1


def test_another_schools_plan_and_user_do_not_exist(api_client, other_school, member):
    # given
    theirs = SubscriptionPlanFactory(school=other_school)
    their_member = MemberFactory(school=other_school)
    mine = SubscriptionPlanFactory(school=member.school)

    # when
    plan_refused = api_client.post(
        SUBS, {"user_id": member.user_id, "plan_id": theirs.id}, format="json"
    )
    user_refused = api_client.post(
        SUBS, {"user_id": their_member.user_id, "plan_id": mine.id}, format="json"
    )

    # then
    assert plan_refused.status_code == 400
    assert "plan_id" in plan_refused.json()["errors"]
    assert user_refused.status_code == 400
    assert "user_id" in user_refused.json()["errors"]
    assert api_client.get(f"{PLANS}/{theirs.id}").status_code == 404
    assert not UserSubscription.objects.exists()


def test_list_filters_by_user_status_and_plan(api_client, school):
    # given
    active = UserSubscriptionFactory(school=school)
    cancelled = UserSubscriptionFactory(school=school, status="cancelled")

    # when
    by_status = api_client.get(SUBS, {"status": "cancelled"})
    by_user = api_client.get(SUBS, {"user_id": active.user_id})
    by_plan = api_client.get(SUBS, {"plan_id": cancelled.plan_id})
    bad = api_client.get(SUBS, {"status": "paused"})

    # then
    assert [s["id"] for s in by_status.json()["results"]] == [cancelled.id]
    assert [s["id"] for s in by_user.json()["results"]] == [active.id]
    assert [s["id"] for s in by_plan.json()["results"]] == [cancelled.id]
    assert bad.status_code == 400


def test_a_manual_payment_settles_the_past_due_subscription(api_client, school, plan, member):
    # given: past due at its first renewal (manual: pending)
    with freeze_time("2026-01-15T10:00:00Z"):
        subscription = subscription_create(school=school, user=member.user, plan=plan)
    with freeze_time("2026-02-15T10:00:00Z"):
        subscriptions_renew_due()
    assert api_client.get(f"{SUBS}/{subscription.id}").json()["status"] == "past_due"

    # when
    with freeze_time("2026-02-16T09:00:00Z"):
        paid = api_client.post(
            f"{SUBS}/{subscription.id}/payments",
            {"processor_order_id": "wire-42", "processor_response": {"bank": "NL"}},
            format="json",
        )
    twice = api_client.post(f"{SUBS}/{subscription.id}/payments", {}, format="json")

    # then
    assert paid.status_code == 200, paid.content
    data = paid.json()
    assert data["subscription_id"] == subscription.id
    assert data["status"] == "paid"
    assert data["amount"] == {"amount": "19.99", "currency_code": "EUR"}
    assert (data["processor_order_id"], data["processor_response"]) == ("wire-42", {"bank": "NL"})
    assert data["paid_at"] == "2026-02-16T09:00:00.000000Z"
    assert (twice.status_code, twice.json()["code"]) == (409, "no_payment_due")
    again = api_client.get(f"{SUBS}/{subscription.id}").json()
    assert (again["status"], again["current_period_end"]) == (
        "active",
        "2026-03-15T10:00:00.000000Z",
    )
    assert Event.objects.filter(school=school, type="subscription.renewed").count() == 1


def test_cancel_now_and_at_period_end(api_client, school, plan):
    # given
    now = subscription_create(school=school, user=MemberFactory(school=school).user, plan=plan)
    later = subscription_create(school=school, user=MemberFactory(school=school).user, plan=plan)

    # when
    cancelled = api_client.post(f"{SUBS}/{now.id}/cancel", {}, format="json")
    scheduled = api_client.post(f"{SUBS}/{later.id}/cancel", {"at_period_end": True}, format="json")
    twice = api_client.post(f"{SUBS}/{now.id}/cancel", {}, format="json")
    bad = api_client.post(f"{SUBS}/{later.id}/cancel", {"at_period_end": "soon"}, format="json")

    # then
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"]
    assert scheduled.json()["status"] == "active"
    assert scheduled.json()["cancel_at_period_end"] is True
    assert (twice.status_code, twice.json()["code"]) == (409, "subscription_cancelled")
    assert bad.status_code == 400
    assert Event.objects.filter(school=school, type="subscription.cancelled").count() == 1


def test_active_installments_list_the_open_payments_of_live_subscriptions(api_client, school):
    # given
    scheduled = InstallmentFactory(school=school, amount_cents=500, currency_code="JPY")
    InstallmentFactory(school=school, status="paid")
    InstallmentFactory(
        school=school, subscription=UserSubscriptionFactory(school=school, status="cancelled")
    )

    # when
    response = api_client.get(ACTIVE)
    by_user = api_client.get(ACTIVE, {"user_id": scheduled.subscription.user_id})
    nobody = api_client.get(ACTIVE, {"user_id": "usr_nobody"})

    # then
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["results"]] == [scheduled.id]
    data = response.json()["results"][0]
    assert data["amount"] == {"amount": "500", "currency_code": "JPY"}
    assert data["amount_cents"] == 500
    assert data["status"] == "scheduled"
    assert data["subscription_id"] == scheduled.subscription_id
    assert data["user"]["id"] == scheduled.subscription.user_id
    assert data["plan"]["id"] == scheduled.subscription.plan_id
    assert [i["id"] for i in by_user.json()["results"]] == [scheduled.id]
    assert nobody.json()["results"] == []
    assert Installment.objects.count() == 3


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", PLANS),
        ("get", SUBS),
        ("post", SUBS),
        ("get", ACTIVE),
    ],
)
def test_user_tokens_are_refused(user_client, method, url):
    assert getattr(user_client, method)(url).status_code == 403


def test_a_key_without_commerce_scopes_is_refused(school):
    from apps.schools.services.schools import api_key_create
    from tests.conftest import make_client

    client = make_client(api_key_create(school=school, name="users", scopes=["read:users"])[1])
    assert client.get(SUBS).status_code == 403
    assert client.get(ACTIVE).status_code == 403
