"""Live-session registrations (Skilljar's vilt-session-registrations): course rules, seats
under concurrency, idempotent re-registration, attendance."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.catalog.models import LessonType
from apps.core.models import Event
from apps.enrollments.models import ViltSessionRegistration
from tests.conftest import make_client
from tests.factories import (
    EnrollmentFactory,
    IltMultiSessionEventFactory,
    IltSessionFactory,
    LessonFactory,
    PublishedCourseFactory,
    ViltSessionRegistrationFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/vilt-session-registrations"


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school)


@pytest.fixture
def live_lesson(school, published):
    return LessonFactory(school=school, course=published.course, type=LessonType.LIVE_TRAINING)


def _session(school, lesson, **fields):
    return IltSessionFactory(school=school, lesson=lesson, **fields)


def _enrollment(school, published, **fields):
    return EnrollmentFactory(school=school, published_course=published, **fields)


def _body(session, enrollment) -> dict:
    return {"vilt_session": {"id": session.id}, "enrollment_id": enrollment.id}


def test_register_answers_201_with_the_registration_and_emits_the_event(
    api_client, school, published, live_lesson
):
    # given
    session = _session(school, live_lesson, seats_total=5)
    enrollment = _enrollment(school, published)

    # when
    response = api_client.post(URL, _body(session, enrollment), format="json")

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["vilt_session"] == {"id": session.id}
    assert body["enrollment_id"] == enrollment.id
    assert body["user"]["id"] == enrollment.user_id
    assert body["attended"] is None
    event = Event.objects.get(school=school, type="vilt.registration.created")
    assert event.payload["id"] == body["id"]
    assert event.payload["course"]["id"] == published.course_id


def test_registering_twice_answers_the_existing_registration(
    api_client, school, published, live_lesson
):
    # given
    session = _session(school, live_lesson, seats_total=1)
    enrollment = _enrollment(school, published)
    first = api_client.post(URL, _body(session, enrollment), format="json")

    # when
    again = api_client.post(URL, _body(session, enrollment), format="json")

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert ViltSessionRegistration.objects.count() == 1
    assert Event.objects.filter(type="vilt.registration.created").count() == 1


def test_an_enrollment_in_another_course_is_400(api_client, school, published, live_lesson):
    # given
    session = _session(school, live_lesson)
    elsewhere = EnrollmentFactory(school=school)

    # when
    response = api_client.post(URL, _body(session, elsewhere), format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "enrollment_not_in_session_course"
    assert response.json()["errors"] == {"enrollment_id": [response.json()["detail"]]}
    assert not ViltSessionRegistration.objects.exists()


def test_an_inactive_or_expired_enrollment_is_409(api_client, school, published, live_lesson):
    # given
    session = _session(school, live_lesson)
    inactive = _enrollment(school, published, active=False)
    expired = _enrollment(
        school,
        published,
        enrolled_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )

    # when
    responses = [
        api_client.post(URL, _body(session, e), format="json") for e in (inactive, expired)
    ]

    # then
    assert [r.status_code for r in responses] == [409, 409]
    assert {r.json()["code"] for r in responses} == {"enrollment_inactive"}


def test_a_session_that_has_ended_is_409(api_client, school, published, live_lesson):
    # given
    past = timezone.now() - timedelta(days=2)
    session = _session(school, live_lesson, starts_at=past, ends_at=past + timedelta(hours=1))

    # when
    response = api_client.post(URL, _body(session, _enrollment(school, published)), format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "session_over"


def test_the_sixth_registration_for_five_seats_is_409_session_full(
    api_client, school, published, live_lesson
):
    # given
    session = _session(school, live_lesson, seats_total=5)
    enrollments = [_enrollment(school, published) for _ in range(6)]

    # when
    statuses = [
        api_client.post(URL, _body(session, e), format="json").status_code for e in enrollments
    ]
    last = api_client.post(URL, _body(session, enrollments[5]), format="json")

    # then
    assert statuses == [201] * 5 + [409]
    assert last.json()["code"] == "session_full"
    assert ViltSessionRegistration.objects.filter(session=session).count() == 5
    # A person already registered keeps their seat when asking again.
    again = api_client.post(URL, _body(session, enrollments[0]), format="json")
    assert again.status_code == 200


def test_seats_of_a_multi_session_event_count_people_across_its_sessions(
    api_client, school, published, live_lesson
):
    # given: an event of two sessions with two seats
    event = IltMultiSessionEventFactory(school=school, lesson=live_lesson, seats_total=2)
    first, second = (
        IltSessionFactory(school=school, lesson=None, multi_session_event=event) for _ in range(2)
    )
    a, b, c = (_enrollment(school, published) for _ in range(3))

    # when
    ok = [
        api_client.post(URL, _body(first, a), format="json").status_code,
        api_client.post(URL, _body(second, a), format="json").status_code,  # same person
        api_client.post(URL, _body(second, b), format="json").status_code,
    ]
    full = api_client.post(URL, _body(first, c), format="json")

    # then
    assert ok == [201, 201, 201]
    assert full.status_code == 409
    assert full.json()["code"] == "session_full"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_pass_the_seats(api_key, school):
    # given: five seats and ten people asking at the same moment
    assert connection.vendor == "postgresql"
    secret = api_key[1]
    published = PublishedCourseFactory(school=school)
    lesson = LessonFactory(school=school, course=published.course, type=LessonType.LIVE_TRAINING)
    session = IltSessionFactory(school=school, lesson=lesson, seats_total=5)
    enrollments = [EnrollmentFactory(school=school, published_course=published) for _ in range(10)]
    workers = len(enrollments)
    barrier = threading.Barrier(workers)
    answers: list[tuple[int, str | None]] = []

    def send(enrollment) -> None:
        client = make_client(secret)
        try:
            barrier.wait(timeout=10)
            response = client.post(URL, _body(session, enrollment), format="json")
            answers.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(e,)) for e in enrollments]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sorted(answers, key=lambda a: a[0]) == [(201, None)] * 5 + [(409, "session_full")] * 5
    assert ViltSessionRegistration.objects.filter(session=session).count() == 5


def test_list_filters_by_session_and_a_learner_sees_only_their_own(
    api_client, user_client, learner, school
):
    # given
    mine = ViltSessionRegistrationFactory(
        school=school, enrollment=EnrollmentFactory(school=school, user=learner.user)
    )
    other = ViltSessionRegistrationFactory(school=school)

    # when
    by_session = api_client.get(URL, {"session__id": other.session_id})
    own = user_client.get(URL)

    # then
    assert [row["id"] for row in by_session.json()["results"]] == [other.id]
    assert [row["id"] for row in own.json()["results"]] == [mine.id]


def test_put_and_patch_change_attendance_only(api_client, school):
    # given
    registration = ViltSessionRegistrationFactory(school=school)

    # when
    put = api_client.put(f"{URL}/{registration.id}", {"attended": True}, format="json")
    patch = api_client.patch(
        f"{URL}/{registration.id}", {"attended": False, "user": {"id": "x"}}, format="json"
    )
    bad = api_client.patch(f"{URL}/{registration.id}", {"enrollment": "x"}, format="json")

    # then
    assert put.status_code == 200
    assert put.json()["attended"] is True
    assert patch.status_code == 200
    assert patch.json()["attended"] is False
    assert bad.status_code == 400
    registration.refresh_from_db()
    assert registration.attended is False


def test_another_schools_session_or_enrollment_does_not_exist(
    api_client, other_school, school, published, live_lesson
):
    # given
    foreign = ViltSessionRegistrationFactory(school=other_school)
    session = _session(school, live_lesson)

    # when
    by_session = api_client.post(
        URL, _body(foreign.session, _enrollment(school, published)), format="json"
    )
    by_enrollment = api_client.post(URL, _body(session, foreign.enrollment), format="json")
    read = api_client.get(f"{URL}/{foreign.id}")

    # then
    assert by_session.status_code == by_enrollment.status_code == 400
    assert by_session.json()["code"] == by_enrollment.json()["code"] == "does_not_exist"
    assert read.status_code == 404
