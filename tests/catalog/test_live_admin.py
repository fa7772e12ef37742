"""Admin for ILT sessions and multi-session events: saves through the services, rules shown
on their fields, rows limited to the staff's school."""

import pytest
from django.test import Client

from apps.catalog.models import IltInstructor, IltMultiSessionEvent, IltSession, LessonType
from apps.schools.models import Member
from tests.factories import (
    DEFAULT_PASSWORD,
    IltSessionFactory,
    LessonFactory,
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(school) -> Client:
    staff = MemberFactory(school=school, role=Member.Role.ADMIN, user=UserFactory(is_staff=True))
    client = Client()
    assert client.login(email=staff.user.email, password=DEFAULT_PASSWORD)
    return client


def _form(lesson, **overrides) -> dict:
    data = {
        "lesson": lesson.pk,
        "multi_session_event": "",
        "display_name": "Forklift safety",
        "instructor_email": "Ada Lovelace <ada@example.com>",
        "provider": "calendar",
        "starts_at_0": "2030-05-01",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2030-05-01",
        "ends_at_1": "11:00:00",
        "timezone": "Europe/Paris",
        "seats_total": "10",
        "location": "Room 4",
        "event_link": "",
        "description": "<p>Hi<script>x()</script></p>",
        "post_registration_instructions": "",
        "tag_names": "safety, onsite",
    }
    data.update(overrides)
    return data


def test_adding_a_session_goes_through_the_service(staff_client, school):
    # given
    lesson = LessonFactory(school=school, type=LessonType.LIVE_TRAINING)

    # when
    response = staff_client.post("/admin/catalog/iltsession/add/", _form(lesson))

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    session = IltSession.objects.get(school=school)
    assert session.description == "<p>Hi</p>"
    assert sorted(t.name for t in session.tags.all()) == ["onsite", "safety"]
    assert IltInstructor.objects.get(school=school).name == "Ada Lovelace"


def test_a_broken_rule_shows_on_its_field(staff_client, school):
    # given
    lesson = LessonFactory(school=school, type=LessonType.LIVE_TRAINING)

    # when
    response = staff_client.post(
        "/admin/catalog/iltsession/add/",
        _form(lesson, provider="zoom.meeting", instructor_email="ada@example.com"),
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["location"]
    assert not IltSession.objects.exists()


def test_staff_see_only_their_schools_sessions(staff_client, school, other_school):
    # given
    mine = IltSessionFactory(school=school)
    theirs = IltSessionFactory(school=other_school)

    # when
    listing = staff_client.get("/admin/catalog/iltsession/")
    foreign = staff_client.get(f"/admin/catalog/iltsession/{theirs.pk}/change/")

    # then
    assert mine.display_name.encode() in listing.content
    assert theirs.display_name.encode() not in listing.content
    assert foreign.status_code in (302, 404)


def test_multi_session_event_is_added_for_a_live_lesson_only(staff_client, school):
    # given
    live = LessonFactory(school=school, type=LessonType.LIVE_TRAINING)
    html = LessonFactory(school=school)

    # when
    refused = staff_client.post(
        "/admin/catalog/iltmultisessionevent/add/",
        {"lesson": html.pk, "display_name": "Series", "seats_total": ""},
    )
    added = staff_client.post(
        "/admin/catalog/iltmultisessionevent/add/",
        {"lesson": live.pk, "display_name": "Series", "seats_total": "8"},
    )

    # then
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["lesson"]
    assert added.status_code == 302
    assert IltMultiSessionEvent.objects.get(school=school).seats_total == 8
