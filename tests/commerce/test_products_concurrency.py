"""One person enrolled into the same product by concurrent requests gets it once
(PostgreSQL): the user's row lock makes the "held already?" check and the grant one step."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import BundleEnrollment
from apps.enrollments.models import Enrollment
from tests.conftest import make_client
from tests.factories import BundleFactory, CourseFactory, MemberFactory, PublishedCourseFactory

REQUESTS = 4


def _enroll_concurrently(api_key, user, body: dict) -> list:
    barrier = threading.Barrier(REQUESTS)
    responses = []

    def enroll() -> None:
        try:
            barrier.wait(timeout=10)
            url = f"/api/v1/users/{user.id}/enrollment"
            responses.append(make_client(api_key[1]).post(url, body, format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrollments_into_a_course_grant_once(api_key):
    # given
    school = api_key[0].school
    published = PublishedCourseFactory(school=school)
    user = MemberFactory(school=school).user

    # when
    responses = _enroll_concurrently(
        api_key, user, {"product_type": "course", "product_id": published.id}
    )

    # then: one 201, the others 200 with the same grant; one enrollment
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (REQUESTS - 1) + [201], [r.content for r in responses]
    assert len({r.json()["access_id"] for r in responses}) == 1
    assert Enrollment.objects.filter(user=user, published_course=published).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrollments_into_a_bundle_grant_once(api_key):
    # given
    school = api_key[0].school
    bundle = BundleFactory(school=school)
    bundle.courses.add(CourseFactory(school=school), CourseFactory(school=school))
    user = MemberFactory(school=school).user

    # when
    responses = _enroll_concurrently(
        api_key, user, {"product_type": "bundle", "product_id": bundle.id}
    )

    # then
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (REQUESTS - 1) + [201], [r.content for r in responses]
    assert BundleEnrollment.objects.filter(user=user, bundle=bundle).count() == 1
    assert Enrollment.objects.filter(user=user).count() == 2
