"""Offline sync of quiz attempts: recorded through the quiz-attempt service, replays, stale
attempts, clocks ahead, the quiz's rules per item, who may sync whose attempts."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.catalog.models import LessonType
from apps.catalog.services.quizzes import question_create, quiz_create
from apps.core.models import Event
from apps.enrollments.models import LessonProgress, QuizAttempt, SyncReceipt
from apps.enrollments.services.enrollments import enrollment_create
from apps.schools.services.people import user_create
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import DomainFactory, LessonFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/progress/sync"


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school, domain=DomainFactory(school=school))


def _quiz(school, **settings):
    """A quiz of two multiple-choice questions."""
    quiz = quiz_create(school=school, name="Ladders", **settings)
    for text in ("Angle?", "Feet?"):
        question_create(
            school=school,
            quiz=quiz,
            type="MULTIPLE_CHOICE",
            html=f"<p>{text}</p>",
            answers=[{"answer_text": "Right", "correct": True}, {"answer_text": "Wrong"}],
        )
    return quiz


def _answers(quiz, right: int) -> dict[str, str]:
    """Answers to every question of ``quiz``, the first ``right`` of them correct."""
    answers = {}
    for position, question in enumerate(quiz.questions.order_by("order", "id")):
        wanted = position < right
        answers[question.id] = next(a.id for a in question.answers.all() if a.correct == wanted)
    return answers


@pytest.fixture
def quiz(school):
    return _quiz(school, passing_percentage_correct=100)


@pytest.fixture
def lesson(school, published, quiz):
    return LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz
    )


@pytest.fixture
def enrolled(published, learner, lesson):
    enrollment_create(
        published_course=published,
        user=learner.user,
        enrolled_at=timezone.now() - timedelta(days=1),
    )
    return learner


def _at(minutes: float) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def _attempt_item(
    client_id: str, quiz, answers, minutes: float = -10, took: float = 2, **attempt
) -> dict:
    """An offline attempt submitted ``minutes`` from now after ``took`` minutes."""
    return {
        "client_id": client_id,
        "client_timestamp": _at(minutes),
        "quiz_attempt": {
            "quiz_id": quiz.id,
            "started_at": _at(minutes - took),
            "answers": answers,
            **attempt,
        },
    }


def _sync(client, *items):
    return client.post(URL, {"items": list(items)}, format="json")


def _lesson_progress(learner, lesson) -> LessonProgress:
    return LessonProgress.objects.get(user=learner.user, lesson=lesson)


def test_an_offline_attempt_is_recorded_graded_and_answered(
    api_client, school, enrolled, quiz, lesson
):
    # when an attempt taken offline is synced by an API key naming the learner
    item = _attempt_item("q1", quiz, _answers(quiz, 2), user_id=enrolled.user_id)
    response = _sync(api_client, item)

    # then it is graded at once, with the client's times, and passes the lesson
    assert response.status_code == 200, response.json()
    body = response.json()
    (result,) = body["results"]
    attempt = QuizAttempt.objects.get(user=enrolled.user)
    assert result == {
        "client_id": "q1",
        "lesson_progress_id": _lesson_progress(enrolled, lesson).id,
        "quiz_attempt_id": attempt.id,
        "status": "applied",
        "code": None,
        "detail": None,
    }
    (shown,) = body["quiz_attempts"]
    assert shown["id"] == attempt.id
    assert (shown["status"], shown["score"], shown["passed"]) == ("graded", 2, True)
    assert shown["lesson_id"] == lesson.id
    assert shown["results"] is not None  # staff see the results, as the attempt API shows
    assert attempt.submitted_at == timezone.datetime.fromisoformat(item["client_timestamp"])
    assert attempt.started_at == timezone.datetime.fromisoformat(item["quiz_attempt"]["started_at"])
    (progress,) = body["lesson_progress"]
    assert (progress["success_status"], progress["score"]) == ("PASSED", 2)
    assert progress["completed_at"] is not None
    events = Event.objects.filter(school=school, type__startswith="quiz.attempt.")
    assert sorted(events.values_list("type", flat=True)) == [
        "quiz.attempt.graded",
        "quiz.attempt.submitted",
    ]


def test_a_replayed_attempt_is_a_duplicate_and_records_nothing(api_client, enrolled, quiz):
    item = _attempt_item("q1", quiz, _answers(quiz, 1), user_id=enrolled.user_id)
    first = _sync(api_client, item)

    replay = _sync(api_client, item)

    assert first.json()["results"][0]["status"] == "applied"
    (result,) = replay.json()["results"]
    assert result["status"] == "duplicate"
    assert result["quiz_attempt_id"] == first.json()["results"][0]["quiz_attempt_id"]
    assert [a["id"] for a in replay.json()["quiz_attempts"]] == [result["quiz_attempt_id"]]
    assert QuizAttempt.objects.filter(user=enrolled.user).count() == 1
    assert SyncReceipt.objects.count() == 1
    assert Event.objects.filter(type="quiz.attempt.graded").count() == 1


def test_an_older_attempt_synced_late_counts_but_leaves_the_later_result(
    api_client, enrolled, quiz, lesson
):
    # given an attempt submitted 10 minutes ago (one right of two) already synced
    newer = _attempt_item("new", quiz, _answers(quiz, 1), minutes=-10, user_id=enrolled.user_id)
    _sync(api_client, newer)

    # when a failed attempt submitted 30 minutes ago arrives (none right)
    older = _attempt_item("old", quiz, _answers(quiz, 0), minutes=-30, user_id=enrolled.user_id)
    response = _sync(api_client, older)

    # then it is recorded and counts, but the newer result stays on the lesson
    (result,) = response.json()["results"]
    assert result["status"] == "stale"
    assert response.json()["quiz_attempts"][0]["score"] == 0
    assert QuizAttempt.objects.filter(user=enrolled.user).count() == 2
    progress = _lesson_progress(enrolled, lesson)
    assert (progress.score, progress.success_status) == (1, "FAILED")


def test_an_older_pass_synced_late_still_passes_the_lesson(api_client, enrolled, quiz, lesson):
    # given a failed attempt submitted 10 minutes ago already synced
    _sync(
        api_client,
        _attempt_item("new", quiz, _answers(quiz, 0), minutes=-10, user_id=enrolled.user_id),
    )

    # when an attempt that passed, submitted 30 minutes ago, arrives
    older = _attempt_item("old", quiz, _answers(quiz, 2), minutes=-30, user_id=enrolled.user_id)
    response = _sync(api_client, older)

    # then it is stale by time, yet a failure never undoes a pass: the lesson is passed
    assert response.json()["results"][0]["status"] == "stale"
    progress = _lesson_progress(enrolled, lesson)
    assert (progress.score, progress.success_status) == (2, "PASSED")
    assert progress.completed_at is not None


def test_an_attempt_submitted_far_ahead_of_the_servers_clock_is_refused(api_client, enrolled, quiz):
    ahead = _attempt_item("ahead", quiz, _answers(quiz, 2), minutes=6, user_id=enrolled.user_id)

    response = _sync(api_client, ahead)

    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("refused", "client_timestamp_in_future")
    assert result["quiz_attempt_id"] is None
    assert not QuizAttempt.objects.exists()
    assert not SyncReceipt.objects.exists()


def test_an_attempt_that_took_longer_than_the_limit_is_graded_as_timed_out(
    api_client, school, enrolled, published
):
    # given a quiz with a one-minute limit, taken offline in 61 seconds and in 50
    quiz = _quiz(school, time_limit_seconds=60, passing_percentage_correct=50)
    LessonFactory(school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz)
    late = _attempt_item(
        "late", quiz, _answers(quiz, 2), minutes=-20, took=61 / 60, user_id=enrolled.user_id
    )
    fine = _attempt_item(
        "fine", quiz, _answers(quiz, 2), minutes=-10, took=50 / 60, user_id=enrolled.user_id
    )

    response = _sync(api_client, late, fine)

    # then no network grace applies offline: one second over is timed out, answers discarded
    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]
    by_id = {a["id"]: a for a in response.json()["quiz_attempts"]}
    late_attempt = by_id[response.json()["results"][0]["quiz_attempt_id"]]
    fine_attempt = by_id[response.json()["results"][1]["quiz_attempt_id"]]
    assert (late_attempt["timed_out"], late_attempt["score"]) == (True, 0)
    assert (fine_attempt["timed_out"], fine_attempt["score"]) == (False, 2)


def test_an_attempt_started_after_it_was_submitted_is_refused(api_client, enrolled, quiz):
    item = _attempt_item("q", quiz, _answers(quiz, 2), took=-1, user_id=enrolled.user_id)

    response = _sync(api_client, item)

    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("refused", "attempt_times_invalid")
    assert not QuizAttempt.objects.exists()


def test_attempts_past_max_attempts_are_refused_and_nothing_is_written(
    api_client, school, enrolled, published
):
    quiz = _quiz(school, max_attempts=1, passing_percentage_correct=100)
    lesson = LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz
    )
    first = _attempt_item("a1", quiz, _answers(quiz, 0), minutes=-20, user_id=enrolled.user_id)
    second = _attempt_item("a2", quiz, _answers(quiz, 2), minutes=-10, user_id=enrolled.user_id)

    response = _sync(api_client, first, second)

    results = response.json()["results"]
    assert results[0]["status"] == "applied"
    assert (results[1]["status"], results[1]["code"]) == ("refused", "max_attempts_reached")
    assert QuizAttempt.objects.filter(user=enrolled.user).count() == 1
    assert not SyncReceipt.objects.filter(client_id="a2").exists()
    assert _lesson_progress(enrolled, lesson).success_status == "FAILED"


def test_synced_attempts_spend_the_persons_quiz_start_budget(api_client, settings, enrolled, quiz):
    # given a budget of two quiz starts a minute
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "quiz_start": 2}
    items = [
        _attempt_item(f"q{n}", quiz, {}, minutes=-10 + n, user_id=enrolled.user_id)
        for n in range(3)
    ]

    # when three attempts arrive in one batch, then the first two are sent again
    response = _sync(api_client, *items)
    replay = _sync(api_client, *items[:2])

    # then the third is refused until the budget returns; replays are answered all the same
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "refused"]
    assert results[2]["code"] == "throttled"
    assert [r["status"] for r in replay.json()["results"]] == ["duplicate", "duplicate"]
    assert QuizAttempt.objects.count() == 2
    assert not SyncReceipt.objects.filter(client_id="q2").exists()


def test_a_person_without_access_is_refused(api_client, learner, quiz, lesson):
    item = _attempt_item("q", quiz, _answers(quiz, 2), user_id=learner.user_id)

    response = _sync(api_client, item)

    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("refused", "course_access_required")
    assert not QuizAttempt.objects.exists()


def test_an_attempt_begun_before_the_lessons_release_is_refused(
    api_client, school, enrolled, published
):
    # given a quiz lesson released five minutes ago
    quiz = _quiz(school)
    LessonFactory(
        school=school,
        course=published.course,
        type=LessonType.QUIZ,
        content_quiz=quiz,
        drip_release_at=timezone.now() - timedelta(minutes=5),
    )

    # when an attempt claims to have begun twelve minutes ago
    item = _attempt_item("early", quiz, _answers(quiz, 2), user_id=enrolled.user_id)
    response = _sync(api_client, item)

    # then the drip rule refuses it, judged at the claimed start
    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("refused", "lesson_not_released")
    assert not QuizAttempt.objects.exists()


def test_an_answer_to_a_question_not_in_the_quiz_is_refused(api_client, school, enrolled, quiz):
    other = _quiz(school)
    stray = next(iter(_answers(other, 2)))
    item = _attempt_item("q", quiz, {stray: "x"}, user_id=enrolled.user_id)

    response = _sync(api_client, item)

    (result,) = response.json()["results"]
    assert (result["status"], result["code"]) == ("refused", "question_not_in_attempt")
    assert not QuizAttempt.objects.exists()


def test_a_mixed_batch_applies_all_but_the_refused_item(
    api_client, school, enrolled, published, quiz, lesson
):
    # given a reading lesson and a quiz allowing one attempt, already used online
    reading = LessonFactory(school=school, course=published.course, title="Read")
    limited = _quiz(school, max_attempts=1)
    LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=limited
    )
    used = _attempt_item("used", limited, {}, minutes=-60, user_id=enrolled.user_id)
    _sync(api_client, used)
    read = _lesson_progress(enrolled, reading)

    # when one batch carries a lesson completion, a refused attempt and an applied one
    response = _sync(
        api_client,
        {
            "client_id": "read",
            "lesson_progress_id": read.id,
            "client_timestamp": _at(-9),
            "completed_at": _at(-9),
        },
        _attempt_item("over", limited, _answers(limited, 2), user_id=enrolled.user_id),
        _attempt_item("ok", quiz, _answers(quiz, 2), minutes=-5, user_id=enrolled.user_id),
    )

    # then the others are applied and answered; the refused one wrote nothing
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "refused", "applied"]
    assert results[1]["code"] == "max_attempts_reached"
    assert LessonProgress.objects.get(pk=read.pk).completed_at is not None
    assert {a["quiz_id"] for a in response.json()["quiz_attempts"]} == {quiz.id}
    assert {p["lesson_id"] for p in response.json()["lesson_progress"]} == {reading.id, lesson.id}
    assert QuizAttempt.objects.filter(quiz=limited).count() == 1


def test_a_learner_token_syncs_its_own_attempts(user_client, enrolled, quiz, lesson):
    response = _sync(user_client, _attempt_item("mine", quiz, _answers(quiz, 2)))

    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["status"] == "applied"
    (shown,) = response.json()["quiz_attempts"]
    assert shown["user"]["id"] == enrolled.user_id
    assert _lesson_progress(enrolled, lesson).success_status == "PASSED"


def test_a_learner_token_syncs_nobody_elses_attempts_nor_lesson_progress(
    user_client, school, enrolled, quiz, lesson, published
):
    someone, _ = user_create(school=school, email="else@alpha.test", first_name="El")
    enrollment_create(published_course=published, user=someone.user)
    progress = _lesson_progress(enrolled, lesson)

    for_else = _sync(user_client, _attempt_item("x", quiz, {}, user_id=someone.user_id))
    lesson_item = _sync(
        user_client,
        {"client_id": "y", "lesson_progress_id": progress.id, "client_timestamp": _at(-1)},
    )

    assert (for_else.status_code, for_else.json()["code"]) == (403, "not_own_attempt")
    assert (lesson_item.status_code, lesson_item.json()["code"]) == (403, "missing_scope")
    assert not QuizAttempt.objects.exists()
    assert not SyncReceipt.objects.exists()


def test_another_schools_quiz_or_a_missing_person_refuses_the_batch(
    api_client, other_api_client, other_school, enrolled, quiz
):
    # another school's key cannot name this school's quiz; this key not the other school's
    theirs = _quiz(other_school)
    foreign = _sync(other_api_client, _attempt_item("f", quiz, {}))
    foreign_quiz = _sync(api_client, _attempt_item("g", theirs, {}, user_id=enrolled.user_id))
    no_person = _sync(api_client, _attempt_item("h", quiz, {}))
    both = _sync(
        api_client,
        {**_attempt_item("i", quiz, {}, user_id=enrolled.user_id), "completed_at": _at(-1)},
    )

    assert (foreign.status_code, foreign.json()["code"]) == (400, "does_not_exist")
    assert (foreign_quiz.status_code, foreign_quiz.json()["code"]) == (400, "does_not_exist")
    assert "items.0.quiz_attempt.quiz_id" in foreign_quiz.json()["errors"]
    assert (no_person.status_code, no_person.json()["code"]) == (400, "user_required")
    assert (both.status_code, both.json()["code"]) == (400, "sync_item_kind_invalid")
    assert not QuizAttempt.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_posted_twice_at_once_records_each_attempt_once(school):
    # given a quiz allowing one attempt and a batch holding one offline attempt at it
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    quiz = _quiz(school, max_attempts=1)
    LessonFactory(school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz)
    member, _ = user_create(school=school, email="racer@alpha.test", first_name="Ra")
    enrollment_create(
        published_course=published, user=member.user, enrolled_at=timezone.now() - timedelta(1)
    )
    token = tokens_issue(member=member).access_token
    body = {"items": [_attempt_item("once", quiz, _answers(quiz, 2))]}
    barrier = threading.Barrier(2)
    statuses: list[str] = []

    def send() -> None:
        try:
            client = make_client(token)
            barrier.wait(timeout=10)
            response = client.post(URL, body, format="json")
            statuses.append(response.json()["results"][0]["status"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]

    # when both copies are posted at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one records the attempt, the other answers it as a replay
    assert sorted(statuses) == ["applied", "duplicate"]
    assert QuizAttempt.objects.filter(quiz=quiz).count() == 1
    assert SyncReceipt.objects.filter(user=member.user).count() == 1
    assert Event.objects.filter(school=school, type="quiz.attempt.graded").count() == 1
