"""Offline progress sync (Learnomy): replays, last write wins, clocks ahead, per-item results."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Event
from apps.enrollments.models import CourseProgress, LessonProgress, SyncReceipt
from apps.enrollments.services.enrollments import enrollment_create
from tests.factories import DomainFactory, LessonFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/progress/sync"


@pytest.fixture
def lessons(school, learner):
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    found = [LessonFactory(school=school, course=published.course, title=f"L{n}") for n in range(3)]
    enrollment_create(published_course=published, user=learner.user)
    return [LessonProgress.objects.get(user=learner.user, lesson=lesson) for lesson in found]


def _at(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def _item(client_id: str, progress, minutes: int = -60, **fields) -> dict:
    return {
        "client_id": client_id,
        "lesson_progress_id": progress.id,
        "client_timestamp": _at(minutes),
        **fields,
    }


def test_a_batch_is_applied_and_answers_the_canonical_state(api_client, school, lessons):
    # when three lesson completions queued offline are synced
    body = {"items": [_item(f"c{n}", p, completed_at=_at(-90 + n)) for n, p in enumerate(lessons)]}
    response = api_client.post(URL, body, format="json")

    # then each is applied, the course completes, and the state of each lesson is answered
    assert response.status_code == 200, response.json()
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3
    states = {row["id"]: row for row in response.json()["lesson_progress"]}
    assert set(states) == {p.id for p in lessons}
    assert all(row["completed_at"] for row in states.values())
    assert CourseProgress.objects.get(course=lessons[0].course).completed_at is not None
    assert Event.objects.filter(school=school, type="enrollment.completed").count() == 1


def test_a_replayed_batch_changes_nothing(api_client, school, lessons):
    body = {"items": [_item("c1", lessons[0], completed_at=_at(-60), score=3, max_score=5)]}
    first = api_client.post(URL, body, format="json")
    api_client.patch(
        f"/api/v1/lesson-progress/{lessons[0].id}", {"score": 4}, format="json"
    )  # a later online change

    replay = api_client.post(URL, body, format="json")

    assert first.json()["results"][0]["status"] == "applied"
    assert replay.json()["results"][0]["status"] == "duplicate"
    assert replay.json()["lesson_progress"][0]["score"] == 4
    assert SyncReceipt.objects.count() == 1


def test_the_latest_client_timestamp_wins_per_lesson(api_client, lessons):
    # given a write made at minute -10 already synced
    newer = _item("new", lessons[0], minutes=-10, custom_data="newer")
    api_client.post(URL, {"items": [newer]}, format="json")

    # when an older write of the same lesson arrives later, with a newer one of another
    older = _item("old", lessons[0], minutes=-30, custom_data="older")
    other = _item("other", lessons[1], minutes=-30, custom_data="other")
    response = api_client.post(URL, {"items": [older, other]}, format="json")

    # then the older one is stale and changes nothing; the other applies
    assert [r["status"] for r in response.json()["results"]] == ["stale", "applied"]
    assert LessonProgress.objects.get(pk=lessons[0].pk).custom_data == "newer"
    assert LessonProgress.objects.get(pk=lessons[1].pk).custom_data == "other"


def test_a_timestamp_far_ahead_is_refused_per_item(api_client, lessons):
    ahead = _item("ahead", lessons[0], minutes=6, completed_at=_at(0))
    fine = _item("fine", lessons[1], minutes=4, completed_at=_at(0))

    response = api_client.post(URL, {"items": [ahead, fine]}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["status"] == "refused"
    assert results[0]["code"] == "client_timestamp_in_future"
    assert results[1]["status"] == "applied"
    assert LessonProgress.objects.get(pk=lessons[0].pk).completed_at is None
    assert not SyncReceipt.objects.filter(client_id="ahead").exists()


def test_an_item_the_learners_rules_refuse_does_not_undo_the_others(api_client, lessons):
    bad = _item("bad", lessons[0], score=9, max_score=5)
    good = _item("good", lessons[1], completed_at=_at(-5))

    response = api_client.post(URL, {"items": [bad, good]}, format="json")

    results = response.json()["results"]
    assert (results[0]["status"], results[0]["code"]) == ("refused", "score_above_max_score")
    assert results[1]["status"] == "applied"
    assert LessonProgress.objects.get(pk=lessons[0].pk).score is None


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"client_id": "x"}]},
        {"items": "nope"},
    ],
)
def test_malformed_batches_are_400(api_client, lessons, body):
    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert not SyncReceipt.objects.exists()


def test_an_empty_batch_syncs_nothing(api_client, lessons):
    response = api_client.post(URL, {"items": []}, format="json")

    assert response.status_code == 200
    assert response.json() == {"results": [], "lesson_progress": [], "quiz_attempts": []}


def test_more_than_500_items_or_an_unknown_id_refuse_the_batch(
    api_client, other_api_client, lessons
):
    many = {"items": [_item(f"c{n}", lessons[0]) for n in range(501)]}
    unknown = {
        "items": [_item("a", lessons[1]), {**_item("b", lessons[0]), "lesson_progress_id": "lpg_x"}]
    }

    assert api_client.post(URL, many, format="json").status_code == 400
    response = api_client.post(URL, unknown, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    # another school's ids do not exist either
    foreign = other_api_client.post(URL, {"items": [_item("z", lessons[0])]}, format="json")
    assert foreign.status_code == 400
    assert not SyncReceipt.objects.exists()
