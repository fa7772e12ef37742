"""Plan services: a plan grants its courses once per plan enrollment, also courses added
later, and the granted course enrollments follow the plan enrollment."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.commerce.models import PlanCourseGrant, PlanEnrollment
from apps.commerce.services import plans as plan_services
from apps.core.errors import Conflict, InvalidInput
from apps.core.models import Job
from apps.enrollments.models import Enrollment, PurchaseState
from apps.enrollments.selectors.enrollments import has_course_access
from apps.enrollments.services.enrollments import Purchase
from apps.schools.services.people import member_suspend
from tests.factories import (
    CourseFactory,
    DomainFactory,
    MemberFactory,
    PlanFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db

JAN = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def plan(school):
    domain = DomainFactory(school=school)
    published = PublishedCourseFactory(school=school, domain=domain)
    return plan_services.plan_create(
        domain=domain, title="All access", courses=[published.course, CourseFactory(school=school)]
    )


def _enroll(plan, member, **fields):
    return plan_services.plan_enrollment_create(plan=plan, user=member.user, **fields)


def test_plan_grant_again_makes_nothing_new(school, plan):
    # given
    member = MemberFactory(school=school)
    enrollment, _ = _enroll(plan, member)

    # when
    again = plan_services.plan_grant(plan_enrollment=enrollment)

    # then
    assert again == 0
    assert Enrollment.objects.filter(user=member.user).count() == 2
    assert PlanCourseGrant.objects.filter(plan_enrollment=enrollment).count() == 2


def test_plan_grant_of_an_enrollment_without_grants_grants_each_course(school, plan):
    # given: an enrollment recorded without its courses (as a purchase might hand over)
    member = MemberFactory(school=school)
    enrollment = PlanEnrollment.objects.create(
        school=school, plan=plan, user=member.user, enrolled_at=JAN
    )

    # when
    made = plan_services.plan_grant(plan_enrollment=enrollment)

    # then
    assert made == 2
    assert set(Enrollment.objects.filter(user=member.user).values_list("course", flat=True)) == set(
        plan.courses.values_list("id", flat=True)
    )


def test_purchase_and_source_reach_the_plan_enrollment_and_its_courses(school, plan):
    member = MemberFactory(school=school)
    purchase = Purchase(
        purchase_state=PurchaseState.SUCCESS,
        currency_code="USD",
        price_cents=2000,
        purchase_id="pur_1",
    )

    enrollment, created = _enroll(plan, member, purchase=purchase, source="purchase")

    assert created
    assert enrollment.purchase_block()["purchase_price"] == {
        "amount": "20.00",
        "currency_code": "USD",
    }
    assert {e.source for e in Enrollment.objects.filter(user=member.user)} == {"purchase"}


def test_a_course_added_later_is_granted_to_the_plans_people_once(
    school, plan, django_capture_on_commit_callbacks
):
    # given: two people in the plan
    people = [MemberFactory(school=school) for _ in range(2)]
    for member in people:
        _enroll(plan, member, enrolled_at=JAN)
    late = CourseFactory(school=school)

    # when: a course joins (the job runs eagerly here), and the job is run again
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_course_add(plan=plan, course=late)
    job = Job.objects.get(kind=plan_services.PLAN_COURSE_GRANT_KIND)
    status, first = job.status, job.result
    rerun = plan_services.plan_course_grant_run(job=job)

    # then: each has it once, with the plan enrollment's dates
    granted = Enrollment.objects.filter(course=late)
    assert sorted(e.user_id for e in granted) == sorted(m.user_id for m in people)
    assert {e.enrolled_at for e in granted} == {JAN}
    assert status == Job.Status.SUCCEEDED
    assert first["granted"] == 2
    assert rerun.result["granted"] == 0
    assert Enrollment.objects.filter(course=late).count() == 2


def test_the_late_grant_skips_a_suspended_person_and_goes_on(
    school, plan, django_capture_on_commit_callbacks
):
    suspended, active = MemberFactory(school=school), MemberFactory(school=school)
    _enroll(plan, suspended)
    _enroll(plan, active)
    member_suspend(member=suspended)
    late = CourseFactory(school=school)

    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_course_add(plan=plan, course=late)

    job = Job.objects.get(kind=plan_services.PLAN_COURSE_GRANT_KIND)
    assert job.result == {"plan_id": plan.id, "granted": 1, "people_refused": 1}
    assert list(Enrollment.objects.filter(course=late).values_list("user", flat=True)) == [
        active.user_id
    ]


def test_a_plan_without_people_queues_no_job(school, plan):
    plan_services.plan_course_add(plan=plan, course=CourseFactory(school=school))

    assert not Job.objects.exists()


def test_plan_courses_are_the_schools_and_once(school, other_school, plan):
    theirs = CourseFactory(school=other_school)
    course = plan.courses.first()

    with pytest.raises(InvalidInput):
        plan_services.plan_course_add(plan=plan, course=theirs)
    with pytest.raises(Conflict) as twice:
        plan_services.plan_course_add(plan=plan, course=course)

    assert twice.value.code == "plan_course_exists"


def test_a_slug_is_taken_once_per_domain_whatever_its_case(school, plan):
    with pytest.raises(Conflict) as taken:
        plan_services.plan_create(domain=plan.domain, title="Other", slug=plan.slug.upper())

    assert taken.value.code == "plan_slug_taken"
    assert plan_services.plan_create(domain=DomainFactory(school=school), title="x", slug=plan.slug)


def test_removing_a_course_keeps_what_was_granted(school, plan):
    member = MemberFactory(school=school)
    _enroll(plan, member)
    item = plan.plan_courses.order_by("order").first()

    plan_services.plan_course_remove(plan_course=item)

    assert Enrollment.objects.filter(user=member.user, course=item.course).exists()
    assert not plan.courses.filter(pk=item.course_id).exists()


def test_an_expired_plan_enrollment_ends_course_access_another_keeps_it(school, plan):
    # given: one enrollment expiring in February, one deactivated, then one still running
    member = MemberFactory(school=school)
    course = plan.courses.first()
    feb = JAN + timedelta(days=31)
    _enroll(plan, member, enrolled_at=JAN, expires_at=feb)
    march = JAN + timedelta(days=60)

    # then: access until the plan enrollment expires, not after
    assert has_course_access(user=member.user, course=course, at=JAN + timedelta(days=1))
    assert not has_course_access(user=member.user, course=course, at=march)

    # when: another, running plan enrollment; and a third deactivated
    _enroll(plan, member, enrolled_at=feb)
    third, _ = _enroll(plan, member, enrolled_at=march)
    plan_services.plan_enrollment_update(enrollment=third, active=False)

    # then: the running one gives access; the deactivated one's courses are inactive
    assert has_course_access(user=member.user, course=course, at=march)
    assert not Enrollment.objects.filter(plan_grant__plan_enrollment=third, active=True).exists()


def test_a_suspended_person_cannot_be_enrolled(school, plan):
    member = MemberFactory(school=school)
    member_suspend(member=member)

    with pytest.raises(Conflict):
        _enroll(plan, member)

    assert not PlanEnrollment.objects.exists()


def test_factory_plan_is_on_a_domain_of_its_school(school):
    plan = PlanFactory(school=school)

    assert plan.domain.school_id == school.pk
    assert plan.plan_url == f"https://{plan.domain.name}/plan/{plan.slug}"
