"""The services behind offline quiz attempts: quiz_attempt_record's rules, progress_sync's
receipts for attempts, and which attempt's result a lesson keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import LessonType
from apps.catalog.services.quizzes import question_create, quiz_create
from apps.core.errors import ApiError
from apps.enrollments.models import AttemptStatus, LessonProgress, QuizAttempt, SyncReceipt
from apps.enrollments.services.enrollments import enrollment_create
from apps.enrollments.services.quizzes import (
    AnswerGrade,
    quiz_attempt_grade,
    quiz_attempt_record,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from apps.enrollments.services.sync import QuizAttemptSyncItem, progress_sync
from tests.factories import DomainFactory, LessonFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school, domain=DomainFactory(school=school))


@pytest.fixture
def person(published, learner):
    enrollment_create(
        published_course=published,
        user=learner.user,
        enrolled_at=timezone.now() - timedelta(days=1),
    )
    return learner.user


def _quiz_lesson(school, published, **settings):
    quiz = quiz_create(school=school, name="Scaffolds", **settings)
    question = question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_CHOICE",
        html="<p>Guard rail?</p>",
        answers=[{"answer_text": "Yes", "correct": True}, {"answer_text": "No"}],
    )
    lesson = LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz
    )
    right = {question.id: question.answers.get(correct=True).id}
    return quiz, lesson, right


def test_record_checks_the_time_limit_without_the_network_grace(school, published, person):
    # given a one-minute quiz; online, a submission 10 seconds late is within the grace
    quiz, lesson, right = _quiz_lesson(school, published, time_limit_seconds=60)
    now = timezone.now()
    online, _ = quiz_attempt_start(quiz=quiz, user=person, now=now - timedelta(minutes=30))
    online = quiz_attempt_submit(
        attempt=online, answers=right, now=now - timedelta(minutes=30, seconds=-70)
    )

    # when the same timing comes from a device
    offline = quiz_attempt_record(
        quiz=quiz,
        user=person,
        answers=right,
        started_at=now - timedelta(minutes=10),
        submitted_at=now - timedelta(minutes=10, seconds=-70),
    )

    # then only the offline one is timed out
    assert (online.timed_out, online.score) == (False, 1)
    assert (offline.timed_out, offline.score) == (True, 0)
    assert offline.deadline_at == offline.started_at + timedelta(seconds=60)


def test_record_counts_a_running_attempt_against_max_attempts(school, published, person):
    quiz, lesson, right = _quiz_lesson(school, published, max_attempts=2)
    running, _ = quiz_attempt_start(quiz=quiz, user=person)
    now = timezone.now()

    recorded = quiz_attempt_record(
        quiz=quiz, user=person, answers=right, started_at=now, submitted_at=now
    )
    with pytest.raises(ApiError) as refused:
        quiz_attempt_record(quiz=quiz, user=person, answers=right, started_at=now, submitted_at=now)

    assert refused.value.code == "max_attempts_reached"
    assert recorded.number == 2
    assert QuizAttempt.objects.get(pk=running.pk).status == AttemptStatus.IN_PROGRESS


def test_progress_sync_records_an_attempt_once_and_refuses_a_clock_ahead(school, published, person):
    quiz, lesson, right = _quiz_lesson(school, published)
    now = timezone.now()
    item = QuizAttemptSyncItem(
        client_id="c1",
        client_timestamp=now - timedelta(minutes=1),
        user=person,
        quiz=quiz,
        started_at=now - timedelta(minutes=2),
        answers=right,
    )
    ahead = QuizAttemptSyncItem(
        client_id="c2",
        client_timestamp=now + timedelta(minutes=6),
        user=person,
        quiz=quiz,
        started_at=now,
        answers=right,
    )

    first = progress_sync(items=[item, ahead])
    replay = progress_sync(items=[item])

    assert [r.status for r in first] == ["applied", "refused"]
    assert first[1].code == "client_timestamp_in_future"
    assert replay[0].status == "duplicate"
    assert replay[0].quiz_attempt_id == first[0].quiz_attempt_id
    receipt = SyncReceipt.objects.get()
    assert receipt.quiz_attempt_id == first[0].quiz_attempt_id
    assert receipt.lesson_progress.lesson_id == lesson.id


def test_an_earlier_attempt_graded_late_leaves_a_later_result_on_the_lesson(
    school, published, person
):
    # given an essay and a choice: the first attempt (choice wrong) waits for a person, the
    # second (choice right) is graded a fail with one point of two
    quiz = quiz_create(school=school, name="Essay", passing_percentage_correct=100)
    essay = question_create(school=school, quiz=quiz, type="FREEFORM", html="<p>Why?</p>")
    choice = question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_CHOICE",
        html="<p>Rail?</p>",
        answers=[{"answer_text": "Yes", "correct": True}, {"answer_text": "No"}],
    )
    right, wrong = (choice.answers.get(correct=flag).id for flag in (True, False))
    lesson = LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz
    )
    now = timezone.now()
    first, _ = quiz_attempt_start(quiz=quiz, user=person, now=now - timedelta(minutes=20))
    quiz_attempt_submit(
        attempt=first, answers={essay.id: "a", choice.id: wrong}, now=now - timedelta(minutes=19)
    )
    second, _ = quiz_attempt_start(quiz=quiz, user=person, now=now - timedelta(minutes=10))
    quiz_attempt_submit(
        attempt=second, answers={essay.id: "b", choice.id: right}, now=now - timedelta(minutes=9)
    )
    quiz_attempt_grade(attempt=second, grades=[AnswerGrade(question_id=essay.id, points=0)])

    # when the first is graded (a fail with no point) after the second
    graded = quiz_attempt_grade(attempt=first, grades=[AnswerGrade(question_id=essay.id, points=0)])

    # then the lesson keeps the later submission's result
    progress = LessonProgress.objects.get(user=person, lesson=lesson)
    assert (graded.status, graded.score) == (AttemptStatus.GRADED, 0)
    assert (progress.success_status, progress.score) == ("FAILED", 1)
