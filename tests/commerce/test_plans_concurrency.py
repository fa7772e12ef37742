"""A plan enrollment POSTed several times at once, and grants racing, grant each course
once (PostgreSQL, real threads)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from apps.commerce.models import PlanCourseGrant, PlanEnrollment
from apps.commerce.services import plans as plan_services
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.conftest import make_client
from tests.factories import CourseFactory, DomainFactory, MemberFactory, PublishedCourseFactory

COPIES = 4


def _together(work: Callable[[], object]) -> list:
    """Run ``work`` in COPIES threads released at once; their answers."""
    barrier = threading.Barrier(COPIES)
    answers: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _plan(school):
    domain = DomainFactory(school=school)
    published = PublishedCourseFactory(school=school, domain=domain)
    return plan_services.plan_create(
        domain=domain, title="All access", courses=[published.course, CourseFactory(school=school)]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_enrollment_make_one_and_grant_once(api_key):
    # given: four identical POSTs released together
    school = api_key[0].school
    plan = _plan(school)
    member = MemberFactory(school=school)
    url = f"/api/v1/domains/{plan.domain.name}/plan/{plan.id}/plan-enrollments"
    body = {"user": {"id": member.user_id}, "enrolled_at": "2024-01-01T00:00:00Z"}

    # when
    responses = _together(lambda: make_client(api_key[1]).post(url, body, format="json"))

    # then: one 201, the others answer the same enrollment; each course granted once
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (COPIES - 1) + [201], [r.content for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    assert PlanEnrollment.objects.count() == 1
    assert Enrollment.objects.filter(user=member.user).count() == 2
    assert Event.objects.filter(type="plan.enrollment.created").count() == 1
    assert Event.objects.filter(type="enrollment.created").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_one_plan_enrollment_grant_each_course_once(school):
    # given: a plan enrollment whose courses were not granted yet
    plan = _plan(school)
    member = MemberFactory(school=school)
    enrollment = PlanEnrollment.objects.create(
        school=school, plan=plan, user=member.user, enrolled_at="2024-01-01T00:00:00Z"
    )

    # when: four grants race (as a fulfil called twice at once would)
    made = _together(
        lambda: plan_services.plan_grant(
            plan_enrollment=PlanEnrollment.objects.select_related("plan", "user").get(
                pk=enrollment.pk
            )
        )
    )

    # then: two course enrollments in all, made by whichever grant claimed each
    assert sum(made) == 2
    assert Enrollment.objects.filter(user=member.user).count() == 2
    assert PlanCourseGrant.objects.filter(plan_enrollment=enrollment).count() == 2
