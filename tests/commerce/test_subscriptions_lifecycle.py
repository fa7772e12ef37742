"""A subscription's life: trial, renewals through the processor, past due, grace, cancel.

Time moves with freezegun; the renewal sweep is the beat task itself, run eagerly.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from freezegun import freeze_time

from apps.commerce import processors
from apps.commerce.models import Installment, SubscriptionStatus, UserSubscription
from apps.commerce.processors import ChargeRequest, ChargeResult, ChargeStatus
from apps.commerce.services.subscriptions import (
    subscription_cancel,
    subscription_create,
    subscription_payment_record,
    subscriptions_renew_due,
)
from apps.commerce.tasks import renew_subscriptions_task
from apps.core.errors import Conflict, InvalidInput
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import (
    DomainFactory,
    EnrollmentFactory,
    MemberFactory,
    PublishedCourseFactory,
    SubscriptionPlanFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


class FakeProcessor:
    """A processor answering a fixed status, remembering what it was asked."""

    name = "fake"

    def __init__(self, status: ChargeStatus) -> None:
        self.status = status
        self.requests: list[ChargeRequest] = []

    def charge(self, request: ChargeRequest) -> ChargeResult:
        self.requests.append(request)
        return ChargeResult(
            status=self.status, order_id=f"ord-{len(self.requests)}", response={"ok": True}
        )


@pytest.fixture
def fake(monkeypatch):
    processor = FakeProcessor(ChargeStatus.PAID)
    monkeypatch.setitem(processors.PROCESSORS, "fake", processor)
    return processor


@pytest.fixture
def published(school):
    domain = DomainFactory(school=school)
    return [PublishedCourseFactory(school=school, domain=domain) for _ in range(2)]


@pytest.fixture
def member(school):
    return MemberFactory(school=school)


def _events(school, name: str) -> list[dict]:
    return [e.payload for e in Event.objects.filter(school=school, type=name).order_by("id")]


def _access(member, published) -> list[bool]:
    """Whether the member holds an active, unexpired enrollment in each publication."""
    at = datetime.now(UTC)
    result = []
    for publication in published:
        rows = Enrollment.objects.filter(user=member.user, course=publication.course, active=True)
        result.append(any(row.expires_at is None or row.expires_at > at for row in rows))
    return result


def _subscribe(school, member, plan, processor: str = "manual") -> UserSubscription:
    return subscription_create(
        school=school, user=member.user, plan=plan, payment_processor=processor
    )


def test_subscribing_grants_the_plan_courses_once_and_schedules_the_next_installment(
    school, member, published
):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published)

    # when
    with freeze_time(START):
        subscription = _subscribe(school, member, plan)

    # then
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start == START
    assert subscription.current_period_end == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert Enrollment.objects.filter(user=member.user).count() == 2
    installment = Installment.objects.get()
    assert (installment.sequence, installment.status) == (1, "scheduled")
    assert (installment.period_start, installment.period_end) == (
        datetime(2026, 2, 28, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 31, 10, 0, tzinfo=UTC),
    )
    assert (installment.amount_cents, installment.currency_code) == (2900, "USD")
    assert len(_events(school, "subscription.created")) == 1


def test_a_second_live_subscription_to_one_plan_is_refused(school, member, published):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    _subscribe(school, member, plan)

    # when / then
    with pytest.raises(Conflict) as refused:
        _subscribe(school, member, plan)
    assert refused.value.code == "subscription_exists"
    assert UserSubscription.objects.count() == 1
    assert Enrollment.objects.filter(user=member.user).count() == 2


def test_paid_renewals_move_the_period_on_the_anchor_day_and_run_once(
    school, member, published, fake, eager
):
    # given: billed on the 31st; periods end on the month's last day when it is shorter
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan, "fake")

    # when: the sweep runs at the period's end, twice
    with freeze_time("2026-02-28T10:00:00Z"):
        renew_subscriptions_task.delay()
        renew_subscriptions_task.delay()
    with freeze_time("2026-03-31T10:00:01Z"):
        renew_subscriptions_task.delay()

    # then: two renewals, one charge each, the period on the 31st again
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    assert subscription.current_period_end == datetime(2026, 4, 30, 10, 0, tzinfo=UTC)
    assert [r.amount_cents for r in fake.requests] == [2900, 2900]
    assert len({r.reference for r in fake.requests}) == 2
    paid = Installment.objects.filter(status="paid").order_by("sequence")
    assert [(i.sequence, i.processor_order_id) for i in paid] == [(1, "ord-1"), (2, "ord-2")]
    renewed = _events(school, "subscription.renewed")
    assert len(renewed) == 2
    assert renewed[0]["installment"]["amount"] == {"amount": "29.00", "currency_code": "USD"}
    assert _access(member, published) == [True, True]


@override_settings(LYCEUM_SUBSCRIPTION_GRACE_DAYS=5)
def test_manual_renewal_falls_past_due_then_is_cancelled_after_the_grace_period(
    school, member, published, eager
):
    # given: a learner who also holds an enrollment of their own in the first course
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan)
    own = EnrollmentFactory(
        school=school,
        user=member.user,
        course=published[0].course,
        published_course=published[0],
    )

    # when: the period ends unpaid (manual: pending); the sweep runs again within the grace
    with freeze_time("2026-02-28T10:00:00Z"):
        renew_subscriptions_task.delay()
    with freeze_time("2026-03-05T09:59:59Z"):
        renew_subscriptions_task.delay()
        subscription.refresh_from_db()
        still = _access(member, published)

    # then: past due, access kept, the installment pending
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert still == [True, True]
    assert Installment.objects.get(sequence=1).status == "pending"
    assert len(_events(school, "subscription.past_due")) == 1

    # when: the grace period is over (twice)
    with freeze_time("2026-03-05T10:00:00Z"):
        renew_subscriptions_task.delay()
        renew_subscriptions_task.delay()
        subscription.refresh_from_db()

    # then: cancelled once; its enrollments expired, the learner's own kept
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert subscription.cancelled_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert Installment.objects.get(sequence=1).status == "void"
    assert len(_events(school, "subscription.cancelled")) == 1
    granted = Enrollment.objects.filter(user=member.user).exclude(pk=own.pk)
    assert {e.expires_at for e in granted} == {datetime(2026, 3, 5, 10, 0, tzinfo=UTC)}
    own.refresh_from_db()
    assert (own.active, own.expires_at) == (True, None)
    assert _access(member, published) == [True, False]


def test_a_payment_recorded_in_the_grace_period_renews_from_the_unpaid_period(
    school, member, published, eager
):
    # given: past due
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan)
    with freeze_time("2026-02-28T10:00:00Z"):
        renew_subscriptions_task.delay()

    # when: the bank transfer arrives three days later
    with freeze_time("2026-03-03T08:00:00Z"):
        installment = subscription_payment_record(
            subscription=subscription,
            processor_order_id="wire-0303",
            processor_response={"bank": "ok"},
        )
    with freeze_time("2026-03-20T00:00:00Z"):
        renew_subscriptions_task.delay()

    # then: active for the period it paid; the next one scheduled; never cancelled
    subscription.refresh_from_db()
    assert (installment.status, installment.processor_order_id) == ("paid", "wire-0303")
    assert installment.paid_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert subscription.current_period_end == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    assert Installment.objects.get(sequence=2).status == "scheduled"
    assert len(_events(school, "subscription.renewed")) == 1
    assert not _events(school, "subscription.cancelled")
    with pytest.raises(Conflict) as refused:
        subscription_payment_record(subscription=subscription)
    assert refused.value.code == "no_payment_due"


def test_a_trial_grants_access_then_the_first_installment_is_charged_at_its_end(
    school, member, published, fake, eager
):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published, trial_days=14)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan, "fake")

    # then: trialing, with access, nothing charged
    trial_end = START + timedelta(days=14)
    assert subscription.status == SubscriptionStatus.TRIALING
    assert (subscription.trial_end, subscription.current_period_end) == (trial_end, trial_end)
    assert _access(member, published) == [True, True]
    assert fake.requests == []

    # when: the trial ends
    with freeze_time(trial_end):
        renew_subscriptions_task.delay()

    # then: the first paid period runs from the trial's end
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start == trial_end
    assert subscription.current_period_end == datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    assert Installment.objects.get(status="paid").sequence == 0


def test_a_failed_charge_is_past_due_with_the_processor_answer_kept(
    school, member, published, fake, eager
):
    # given
    fake.status = ChargeStatus.FAILED
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan, "fake")

    # when
    with freeze_time("2026-02-28T10:00:00Z"):
        renew_subscriptions_task.delay()

    # then
    subscription.refresh_from_db()
    installment = Installment.objects.get(sequence=1)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert (installment.status, installment.processor_order_id) == ("failed", "ord-1")
    assert installment.processor_response == {"ok": True}
    assert installment.paid_at is None


def test_a_free_plan_renews_without_asking_the_processor(school, member, published, fake):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published, price_cents=0)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan, "fake")

    # when
    with freeze_time("2026-02-28T10:00:00Z"):
        outcomes = subscriptions_renew_due()

    # then
    subscription.refresh_from_db()
    assert outcomes == {"renewed": 1}
    assert fake.requests == []
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert Installment.objects.get(sequence=1).status == "paid"


def test_cancel_at_period_end_keeps_access_then_cancels_without_charging(
    school, member, published, fake
):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan, "fake")
        subscription_cancel(subscription=subscription, at_period_end=True)

    # then: still active, nothing emitted yet
    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancel_at_period_end) == ("active", True)
    assert not _events(school, "subscription.cancelled")

    # when
    with freeze_time("2026-02-28T10:00:00Z"):
        outcomes = subscriptions_renew_due()

    # then
    subscription.refresh_from_db()
    assert outcomes == {"cancelled": 1}
    assert fake.requests == []
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert len(_events(school, "subscription.cancelled")) == 1


def test_cancel_now_expires_access_and_a_new_subscription_grants_it_again(
    school, member, published
):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        subscription = _subscribe(school, member, plan)

    # when
    with freeze_time("2026-02-10T10:00:00Z"):
        subscription_cancel(subscription=subscription)
        again = _subscribe(school, member, plan)

    # then
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert again.status == SubscriptionStatus.ACTIVE
    assert Enrollment.objects.filter(user=member.user).count() == 4
    assert _access(member, published) == [True, True]
    with pytest.raises(Conflict) as refused:
        subscription_cancel(subscription=subscription)
    assert refused.value.code == "subscription_cancelled"


def test_courses_added_to_a_plan_are_granted_at_the_next_renewal(school, member, published, fake):
    # given
    plan = SubscriptionPlanFactory(school=school, published_courses=published[:1])
    with freeze_time(START):
        _subscribe(school, member, plan, "fake")
    plan.published_courses.add(published[1])

    # when
    with freeze_time("2026-02-28T10:00:00Z"):
        subscriptions_renew_due()
        subscriptions_renew_due()

    # then
    assert _access(member, published) == [True, True]
    assert Enrollment.objects.filter(user=member.user).count() == 2


def test_unknown_processor_and_inactive_plan_are_refused(school, member):
    # given
    plan = SubscriptionPlanFactory(school=school)
    closed = SubscriptionPlanFactory(school=school, active=False)

    # when / then
    with pytest.raises(InvalidInput) as unknown:
        _subscribe(school, member, plan, "stripe")
    with pytest.raises(Conflict) as inactive:
        _subscribe(school, member, closed)
    assert unknown.value.code == "unknown_payment_processor"
    assert inactive.value.code == "plan_inactive"
    assert not UserSubscription.objects.exists()


def test_the_renewal_task_is_on_the_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["commerce.renew_subscriptions"]
    assert entry["task"] == renew_subscriptions_task.name


class BrokenProcessor:
    name = "broken"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        raise ConnectionError("processor unreachable")


def test_a_processor_error_rolls_back_that_subscription_only(
    school, member, published, fake, monkeypatch
):
    # given: two subscriptions due, one on a processor that is down
    monkeypatch.setitem(processors.PROCESSORS, "broken", BrokenProcessor())
    plan = SubscriptionPlanFactory(school=school, published_courses=published)
    with freeze_time(START):
        broken = _subscribe(school, member, plan, "broken")
        working = _subscribe(school, MemberFactory(school=school), plan, "fake")

    # when
    with freeze_time("2026-02-28T10:00:00Z"):
        outcomes = subscriptions_renew_due()

    # then: the broken one is untouched and due again; the other renewed
    broken.refresh_from_db()
    working.refresh_from_db()
    assert outcomes == {"error": 1, "renewed": 1}
    assert (broken.status, broken.current_period_end) == (
        "active",
        datetime(2026, 2, 28, 10, 0, tzinfo=UTC),
    )
    assert Installment.objects.get(subscription=broken, sequence=1).status == "scheduled"
    assert working.status == "active"
