"""Spending training credits, and taking back content when a code with ``expire_content``
expires."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.commerce.models import TrainingCreditSpend
from apps.commerce.services.credits import (
    training_credit_code_find,
    training_credit_content_expire,
    training_credit_grant_record,
    training_credits_spend,
)
from apps.commerce.tasks import training_credit_content_expire_task
from apps.core.errors import ApiError
from apps.enrollments.services.enrollments import enrollment_create, path_enrollment_create
from tests.factories import (
    DomainFactory,
    GroupFactory,
    GroupMembershipFactory,
    MemberFactory,
    OfferFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
    TrainingCreditCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(school):
    return OfferFactory(school=school, training_credit_value=3)


@pytest.fixture
def buyer(school):
    return MemberFactory(school=school).user


def _refusal(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


def test_spend_takes_the_offers_credit_value_and_records_it(school, offer, buyer):
    code = TrainingCreditCodeFactory(school=school, credits_total=10)

    spend = training_credits_spend(code=code, offer=offer, user=buyer)

    code.refresh_from_db()
    assert spend.credits == 3
    assert (spend.code, spend.offer, spend.user) == (code, offer, buyer)
    assert code.credits_remaining == 7
    assert code.credits_total == 10


def test_spend_beyond_the_credits_left_is_409_and_takes_nothing(school, offer, buyer):
    code = TrainingCreditCodeFactory(school=school, credits_total=5, credits_remaining=2)

    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    code.refresh_from_db()
    assert (refusal.status_code, refusal.code) == (409, "training_credits_insufficient")
    assert code.credits_remaining == 2
    assert not TrainingCreditSpend.objects.exists()


def test_spend_down_to_exactly_zero(school, offer, buyer):
    code = TrainingCreditCodeFactory(school=school, credits_total=6)

    training_credits_spend(code=code, offer=offer, user=buyer)
    training_credits_spend(code=code, offer=offer, user=buyer)
    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    code.refresh_from_db()
    assert code.credits_remaining == 0
    assert refusal.code == "training_credits_insufficient"


def test_an_expired_code_cannot_be_spent(school, offer, buyer):
    code = TrainingCreditCodeFactory(
        school=school, expires_at=timezone.now() - timedelta(minutes=1)
    )

    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    assert refusal.code == "training_credit_code_expired"


def test_an_offer_without_credit_value_cannot_be_bought_with_credits(school, buyer):
    code = TrainingCreditCodeFactory(school=school)
    offer = OfferFactory(school=school, training_credit_value=None)

    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    assert refusal.code == "offer_not_for_credits"


def test_a_code_for_some_offers_refuses_the_others(school, offer, buyer):
    code = TrainingCreditCodeFactory(school=school, available_for_all_offers=False)
    code.offers.set([OfferFactory(school=school, training_credit_value=1)])

    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    assert refusal.code == "training_credit_offer_not_eligible"
    code.offers.add(offer)
    assert training_credits_spend(code=code, offer=offer, user=buyer).credits == 3


def test_a_code_for_some_groups_refuses_other_students(school, offer, buyer):
    group = GroupFactory(school=school)
    code = TrainingCreditCodeFactory(school=school, available_to_all_students=False)
    code.student_groups.set([group])

    refusal = _refusal(lambda: training_credits_spend(code=code, offer=offer, user=buyer))

    assert refusal.code == "training_credit_user_not_eligible"
    GroupMembershipFactory(school=school, group=group, user=buyer)
    assert training_credits_spend(code=code, offer=offer, user=buyer).credits == 3


def test_another_schools_offer_or_user_is_refused(school, other_school, buyer, offer):
    code = TrainingCreditCodeFactory(school=school)
    their_offer = OfferFactory(school=other_school, training_credit_value=1)
    their_user = UserFactory(school=other_school)

    assert _refusal(
        lambda: training_credits_spend(code=code, offer=their_offer, user=buyer)
    ).code == ("does_not_exist")
    assert _refusal(
        lambda: training_credits_spend(code=code, offer=offer, user=their_user)
    ).code == ("does_not_exist")
    code.refresh_from_db()
    assert code.credits_remaining == code.credits_total


def test_find_matches_the_name_in_any_case_within_the_school(school, other_school):
    code = TrainingCreditCodeFactory(school=school, training_credit_code="Acme-2026")
    TrainingCreditCodeFactory(school=other_school, training_credit_code="OTHER")

    assert training_credit_code_find(school=school, training_credit_code="ACME-2026") == code
    refusal = _refusal(
        lambda: training_credit_code_find(school=school, training_credit_code="OTHER")
    )
    assert refusal.field == "training_credit_code"


def _bought(school, code, buyer, *, path: bool = False):
    """What a purchase does: spend, grant access, record the grant."""
    domain = DomainFactory(school=school)
    if path:
        published = PublishedPathFactory(school=school, domain=domain)
        offer = OfferFactory(
            school=school, published_course=None, published_path=published, training_credit_value=1
        )
        enrollment, _ = path_enrollment_create(published_path=published, user=buyer)
        spend = training_credits_spend(code=code, offer=offer, user=buyer)
        return training_credit_grant_record(spend=spend, path_enrollment=enrollment), enrollment
    published = PublishedCourseFactory(school=school, domain=domain)
    offer = OfferFactory(school=school, published_course=published, training_credit_value=1)
    enrollment, _ = enrollment_create(published_course=published, user=buyer)
    spend = training_credits_spend(code=code, offer=offer, user=buyer)
    return training_credit_grant_record(spend=spend, enrollment=enrollment), enrollment


def test_expire_content_ends_the_access_bought_with_the_code_once(school, buyer):
    # given: a code with expire_content that paid for a course and a path, then expired
    code = TrainingCreditCodeFactory(school=school, expire_content=True)
    course_spend, enrollment = _bought(school, code, buyer)
    path_spend, path_enrollment = _bought(school, code, buyer, path=True)
    expiry = timezone.now() + timedelta(seconds=1)
    code.expires_at = expiry
    code.save()

    # when: the beat task runs after the expiry, and again
    first = training_credit_content_expire(now=expiry + timedelta(minutes=5))
    second = training_credit_content_expire(now=expiry + timedelta(minutes=10))

    # then: the enrollments expire at the code's expiry (the path's courses with it), once
    enrollment.refresh_from_db()
    path_enrollment.refresh_from_db()
    assert (first, second) == (2, 0)
    assert enrollment.expires_at == expiry
    assert path_enrollment.expires_at == expiry
    assert all(e.expires_at == expiry for e in path_enrollment.course_enrollments.all())
    assert TrainingCreditSpend.objects.filter(content_expired_at__isnull=True).count() == 0


def test_content_stays_before_expiry_and_without_expire_content(school, buyer):
    soon = timezone.now() + timedelta(days=1)
    keeps = TrainingCreditCodeFactory(school=school, expire_content=False, expires_at=soon)
    later = TrainingCreditCodeFactory(school=school, expire_content=True, expires_at=soon)
    _, kept = _bought(school, keeps, buyer)
    _, not_yet = _bought(school, later, buyer)

    handled = training_credit_content_expire(now=soon - timedelta(hours=1))
    handled_after = training_credit_content_expire(now=soon + timedelta(hours=1))

    kept.refresh_from_db()
    not_yet.refresh_from_db()
    assert handled == 0
    assert handled_after == 1
    assert kept.expires_at is None
    assert not_yet.expires_at == soon


def test_an_enrollment_ending_earlier_keeps_its_end(school, buyer):
    code = TrainingCreditCodeFactory(school=school, expire_content=True)
    _, enrollment = _bought(school, code, buyer)
    earlier = timezone.now() + timedelta(hours=1)
    enrollment.expires_at = earlier
    enrollment.save()
    code.expires_at = earlier + timedelta(hours=1)
    code.save()

    training_credit_content_expire(now=earlier + timedelta(days=1))

    enrollment.refresh_from_db()
    assert enrollment.expires_at == earlier


def test_the_expiry_task_is_on_the_beat_schedule_and_runs_the_service(school, buyer):
    code = TrainingCreditCodeFactory(school=school, expire_content=True)
    _, enrollment = _bought(school, code, buyer)
    code.expires_at = timezone.now()
    code.save()

    handled = training_credit_content_expire_task()

    entry = settings.CELERY_BEAT_SCHEDULE["commerce.training_credit_content_expire"]
    assert entry["task"] == training_credit_content_expire_task.name
    assert handled == 1
    enrollment.refresh_from_db()
    assert enrollment.expires_at == code.expires_at


def test_a_code_expiring_before_the_enrollment_began_deactivates_it(school, buyer):
    code = TrainingCreditCodeFactory(school=school, expire_content=True)
    _, enrollment = _bought(school, code, buyer)
    code.expires_at = enrollment.enrolled_at - timedelta(days=1)
    code.save()

    training_credit_content_expire()

    enrollment.refresh_from_db()
    assert enrollment.active is False
    assert enrollment.expires_at is None
