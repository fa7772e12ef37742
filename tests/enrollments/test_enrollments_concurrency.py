"""Identical enrollment POSTs released together make one enrollment (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.core.models import Event
from apps.enrollments.models import Enrollment, LessonProgress
from tests.conftest import make_client
from tests.factories import DomainFactory, LessonFactory, MemberFactory, PublishedCourseFactory

COPIES = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_identical_concurrent_posts_make_one_enrollment(api_key):
    # given: one publication, one person, six identical requests released together
    school = api_key[0].school
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    LessonFactory(school=school, course=published.course)
    member = MemberFactory(school=school)
    url = f"/api/v1/domains/{published.domain.name}/published-courses/{published.id}/enrollments"
    body = {"user": {"id": member.user_id}, "enrolled_at": "2026-01-15T10:00:00Z"}
    barrier = threading.Barrier(COPIES)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(make_client(api_key[1]).post(url, body, format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one 201, the rest answer that same enrollment; one event, one set of progress rows
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (COPIES - 1) + [201], [r.content for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    assert Enrollment.objects.filter(user_id=member.user_id).count() == 1
    assert Event.objects.filter(school=school, type="enrollment.created").count() == 1
    assert LessonProgress.objects.filter(user_id=member.user_id).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_coursemember_posts_make_one_members_enrollment(api_key):
    # given: a course without publication, one person, six identical requests together
    school = api_key[0].school
    lesson = LessonFactory(school=school)
    member = MemberFactory(school=school)
    url = f"/api/v1/courses/{lesson.course_id}/members/{member.user_id}/coursemember"
    barrier = threading.Barrier(COPIES)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(make_client(api_key[1]).post(url))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: the partial unique constraint lets one through; the rest answer 200
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (COPIES - 1) + [201], [r.content for r in responses]
    assert Enrollment.objects.filter(user_id=member.user_id).count() == 1
    assert Event.objects.filter(school=school, type="enrollment.created").count() == 1
