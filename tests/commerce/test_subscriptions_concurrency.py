"""Subscribing and renewing under concurrency (PostgreSQL, real threads)."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from freezegun import freeze_time

from apps.commerce import processors
from apps.commerce.models import Installment, SubscriptionStatus, UserSubscription
from apps.commerce.processors import ChargeRequest, ChargeResult, ChargeStatus
from apps.commerce.services.subscriptions import subscription_create, subscriptions_renew_due
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.conftest import make_client
from tests.factories import (
    DomainFactory,
    MemberFactory,
    PublishedCourseFactory,
    SubscriptionPlanFactory,
)

COPIES = 4


def _together(work: Callable[[], object]) -> list[object]:
    """Run ``work`` in COPIES threads released at once; their results."""
    barrier = threading.Barrier(COPIES)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_subscribes_make_one_subscription_and_one_grant(api_key):
    # given
    school = api_key[0].school
    domain = DomainFactory(school=school)
    plan = SubscriptionPlanFactory(
        school=school, published_courses=[PublishedCourseFactory(school=school, domain=domain)]
    )
    member = MemberFactory(school=school)
    body = {"user_id": member.user_id, "plan_id": plan.id}

    # when
    responses = _together(
        lambda: make_client(api_key[1]).post("/api/v1/user-subscriptions", body, format="json")
    )

    # then
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (COPIES - 1), [r.content for r in responses]
    assert UserSubscription.objects.count() == 1
    assert Enrollment.objects.filter(user=member.user).count() == 1
    assert Event.objects.filter(school=school, type="subscription.created").count() == 1


class SlowPaidProcessor:
    """Pays, after a pause long enough for the other sweeps to reach the same rows."""

    name = "slow"

    def __init__(self) -> None:
        self.references: list[str] = []
        self.lock = threading.Lock()

    def charge(self, request: ChargeRequest) -> ChargeResult:
        with self.lock:
            self.references.append(request.reference)
        threading.Event().wait(0.2)
        return ChargeResult(status=ChargeStatus.PAID, order_id=f"ord-{request.reference}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_renewal_sweeps_charge_and_renew_each_subscription_once(school, monkeypatch):
    # given: three subscriptions due at once
    slow = SlowPaidProcessor()
    monkeypatch.setitem(processors.PROCESSORS, "slow", slow)
    plan = SubscriptionPlanFactory(school=school)
    with freeze_time("2026-01-31T10:00:00Z"):
        subscriptions = [
            subscription_create(
                school=school,
                user=MemberFactory(school=school).user,
                plan=plan,
                payment_processor="slow",
            )
            for _ in range(3)
        ]
    at = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)

    # when: four sweeps at the same moment
    _together(lambda: subscriptions_renew_due(now=at))

    # then: one charge and one renewal per subscription
    assert sorted(slow.references) == sorted(
        Installment.objects.filter(sequence=1).values_list("id", flat=True)
    )
    assert Event.objects.filter(school=school, type="subscription.renewed").count() == 3
    for subscription in subscriptions:
        subscription.refresh_from_db()
        assert subscription.status == SubscriptionStatus.ACTIVE
        assert subscription.current_period_end == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    assert Installment.objects.filter(sequence=2, status="scheduled").count() == 3
