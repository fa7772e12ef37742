"""Staff make plans (courses inline) and enroll people in them in the admin, through the
plan services."""

import pytest

from apps.commerce.models import Plan, PlanEnrollment
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import (
    CourseFactory,
    DomainFactory,
    MemberFactory,
    PlanCourseFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/commerce/plan/add/"
INLINE = "plan_courses"


def _form(domain, courses=(), **fields) -> dict:
    data = {
        "domain": domain.pk,
        "title": "All access",
        "slug": "",
        f"{INLINE}-TOTAL_FORMS": str(len(courses)),
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, course in enumerate(courses):
        data[f"{INLINE}-{index}-course"] = course.pk
        data[f"{INLINE}-{index}-order"] = str(index + 1)
    return data


def test_adding_a_plan_with_courses_goes_through_the_services(staff_client, school):
    domain = DomainFactory(school=school)
    courses = [CourseFactory(school=school) for _ in range(2)]

    response = staff_client.post(ADD, _form(domain, courses))

    assert response.status_code == 302, response.content[:3000]
    plan = Plan.objects.get()
    assert (plan.school, plan.domain, plan.slug) == (school, domain, "all-access")
    in_order = plan.plan_courses.order_by("order").values_list("course_id", flat=True)
    assert list(in_order) == [course.pk for course in courses]


def test_admin_never_offers_another_schools_domains_or_courses(staff_client, school, other_school):
    their_domain = DomainFactory(school=other_school)
    their_course = CourseFactory(school=other_school)
    mine = DomainFactory(school=school)

    page = staff_client.get(ADD).content.decode()
    on_their_domain = staff_client.post(ADD, _form(their_domain))
    with_their_course = staff_client.post(ADD, _form(mine, [their_course]))

    assert their_domain.name not in page
    assert their_course.pk not in page
    assert on_their_domain.status_code == 200  # the form again, with the error
    assert with_their_course.status_code == 200
    assert not Plan.objects.exists()


def test_enrolling_in_the_admin_grants_the_plans_courses(staff_client, school):
    plan = PlanFactory(school=school)
    course = CourseFactory(school=school)
    PlanCourseFactory(school=school, plan=plan, course=course)
    member = MemberFactory(school=school)

    response = staff_client.post(
        "/admin/commerce/planenrollment/add/",
        {"plan": plan.pk, "user": member.user_id, "enrolled_at": "", "active": "on"},
    )

    assert response.status_code == 302, response.content[:3000]
    enrollment = PlanEnrollment.objects.get()
    assert enrollment.source == "admin"
    assert Enrollment.objects.get(user=member.user).course == course
    assert Event.objects.filter(type="plan.enrollment.created").count() == 1
