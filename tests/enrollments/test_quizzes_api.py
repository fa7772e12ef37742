"""Quiz attempts: starting, submitting, grading (automatic and by a person), the results a
learner may see, LearnWorlds' assessment responses and course grades."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.catalog.models import LessonType
from apps.catalog.services.quizzes import question_create, quiz_create
from apps.core.models import Event
from apps.enrollments.models import AttemptAnswer, AttemptStatus, LessonProgress, QuizAttempt
from apps.enrollments.services.enrollments import enrollment_create
from apps.enrollments.services.quizzes import quiz_attempt_start, quiz_attempt_submit
from apps.schools.services.people import user_create
from apps.schools.tokens import tokens_issue
from tests.conftest import admin_inline_data, make_client
from tests.factories import (
    DomainFactory,
    LessonFactory,
    MemberFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school, domain=DomainFactory(school=school))


def _quiz(school, **settings):
    """A quiz of three questions: multiple choice, multiple answer, fill in the blank."""
    quiz = quiz_create(school=school, name="Forklifts", **settings)
    question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_CHOICE",
        html="<p>Max load?</p>",
        answers=[{"answer_text": "1 t", "correct": True}, {"answer_text": "9 t"}],
        correct_answer_feedback_html="<p>Right.</p>",
        incorrect_answer_feedback_html="<p>Read the plate.</p>",
    )
    question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_ANSWER",
        html="<p>Before driving?</p>",
        answers=[
            {"answer_text": "Brakes", "correct": True},
            {"answer_text": "Horn", "correct": True},
            {"answer_text": "Radio"},
        ],
    )
    question_create(
        school=school,
        quiz=quiz,
        type="FILL_IN_THE_BLANK",
        html="<p>Wear a ___</p>",
        answers=[{"answer_text": "Helmet", "correct": True}],
    )
    return quiz


def _lesson(school, published, quiz):
    return LessonFactory(
        school=school, course=published.course, type=LessonType.QUIZ, content_quiz=quiz
    )


def _right(quiz) -> dict:
    answers = {}
    for question in quiz.questions.prefetch_related("answers"):
        correct = [a for a in question.answers.all() if a.correct]
        if question.type == "MULTIPLE_CHOICE":
            answers[question.id] = correct[0].id
        elif question.type == "MULTIPLE_ANSWER":
            answers[question.id] = [a.id for a in correct]
        elif question.type == "FILL_IN_THE_BLANK":
            answers[question.id] = "  helmet "
    return answers


@pytest.fixture
def quiz(school):
    return _quiz(school, passing_percentage_correct=60)


@pytest.fixture
def lesson(school, published, quiz):
    return _lesson(school, published, quiz)


@pytest.fixture
def enrolled(published, learner, lesson):
    enrollment_create(published_course=published, user=learner.user)
    return learner


def _start(client, quiz, body=None):
    return client.post(f"/api/v1/quizzes/{quiz.id}/attempts", body or {}, format="json")


def _submit(client, attempt_id, answers):
    return client.post(
        f"/api/v1/quiz-attempts/{attempt_id}/submit", {"answers": answers}, format="json"
    )


def test_learner_starts_and_submits_with_own_token_and_passes_the_lesson(
    user_client, enrolled, quiz, lesson
):
    started = _start(user_client, quiz)
    assert started.status_code == 201, started.json()
    attempt = started.json()
    assert attempt["status"] == "in_progress"
    assert attempt["lesson_id"] == lesson.id
    assert attempt["user"]["id"] == enrolled.user_id
    assert attempt["results"] is None
    shown = {q["id"]: q for q in attempt["questions"]}
    assert len(shown) == 3
    fill_in = next(q for q in attempt["questions"] if q["type"] == "FILL_IN_THE_BLANK")
    assert fill_in["answers"] == []  # the accepted texts are never shown

    submitted = _submit(user_client, attempt["id"], _right(quiz))

    assert submitted.status_code == 200, submitted.json()
    data = submitted.json()
    assert (data["status"], data["score"], data["max_score"], data["percentage"]) == (
        "graded",
        3,
        3,
        100,
    )
    assert data["passed"] is True
    assert data["success_status"] == "PASSED"
    choice = next(r for r in data["results"] if r["feedback"] == "<p>Right.</p>")
    assert choice["correct"] is True
    assert choice["correct_answers"]
    progress = LessonProgress.objects.get(user=enrolled.user, lesson=lesson)
    assert progress.completed_at is not None
    assert (progress.score, progress.max_score, progress.success_status) == (3, 3, "PASSED")
    types = list(Event.objects.filter(type__startswith="quiz.").values_list("type", flat=True))
    assert sorted(types) == ["quiz.attempt.graded", "quiz.attempt.submitted"]
    # The pass completes the lesson through the progress service, with its event.
    assert Event.objects.filter(type="lesson.completed").count() == 1


def test_submitting_twice_is_409_and_changes_nothing(user_client, enrolled, quiz):
    attempt = _start(user_client, quiz).json()
    assert _submit(user_client, attempt["id"], {}).status_code == 200
    before = AttemptAnswer.objects.count()

    again = _submit(user_client, attempt["id"], _right(quiz))

    assert again.status_code == 409
    assert again.json()["code"] == "attempt_already_submitted"
    assert AttemptAnswer.objects.count() == before
    assert QuizAttempt.objects.get(pk=attempt["id"]).score == 0


def test_a_failed_attempt_hides_results_unless_the_quiz_shows_them(
    user_client, api_client, enrolled, quiz, lesson
):
    attempt = _start(user_client, quiz).json()

    failed = _submit(user_client, attempt["id"], {}).json()

    assert failed["passed"] is False
    assert failed["success_status"] == "FAILED"
    assert failed["results"] is None
    staff = api_client.get(f"/api/v1/quiz-attempts/{attempt['id']}").json()
    assert len(staff["results"]) == 3
    quiz.show_results_on_failure = True
    quiz.save()
    shown = user_client.get(f"/api/v1/quiz-attempts/{attempt['id']}").json()["results"]
    assert [row["correct"] for row in shown] == [False, False, False]
    assert all(row["correct_answers"] is None for row in shown)  # never to one who failed
    progress = LessonProgress.objects.get(user=enrolled.user, lesson=lesson)
    assert progress.completed_at is None
    assert progress.success_status == "FAILED"


def test_running_attempt_is_answered_again_and_max_attempts_is_409(
    user_client, school, published, enrolled
):
    quiz = _quiz(school, max_attempts=2)
    _lesson(school, published, quiz)
    first = _start(user_client, quiz)
    again = _start(user_client, quiz)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    _submit(user_client, first.json()["id"], {})
    second = _start(user_client, quiz).json()
    _submit(user_client, second["id"], {})

    third = _start(user_client, quiz)

    assert third.status_code == 409
    assert third.json()["code"] == "max_attempts_reached"
    assert QuizAttempt.objects.filter(quiz=quiz).count() == 2


def test_question_count_and_order_are_drawn_per_attempt_and_kept(
    user_client, school, published, enrolled
):
    quiz = _quiz(school, limit_question_count=2, randomize_questions=True, randomize_answers=True)
    _lesson(school, published, quiz)

    attempt = _start(user_client, quiz).json()

    stored = QuizAttempt.objects.get(pk=attempt["id"])
    assert len(attempt["questions"]) == 2 == len(stored.question_ids)
    assert [q["id"] for q in attempt["questions"]] == stored.question_ids
    reread = user_client.get(f"/api/v1/quiz-attempts/{attempt['id']}").json()
    assert reread["questions"] == attempt["questions"]
    for question in attempt["questions"]:
        if question["type"] != "FILL_IN_THE_BLANK":
            assert [a["id"] for a in question["answers"]] == stored.answer_order[question["id"]]


def test_answer_to_a_question_not_in_the_attempt_is_400_and_nothing_is_written(
    user_client, school, published, enrolled
):
    quiz = _quiz(school, limit_question_count=1)
    _lesson(school, published, quiz)
    attempt = _start(user_client, quiz).json()
    other = next(q for q in quiz.questions.all() if q.id != attempt["questions"][0]["id"])

    response = _submit(user_client, attempt["id"], {other.id: "Helmet"})

    assert response.status_code == 400
    assert response.json()["code"] == "question_not_in_attempt"
    assert f"answers.{other.id}" in response.json()["errors"]
    assert QuizAttempt.objects.get(pk=attempt["id"]).status == AttemptStatus.IN_PROGRESS
    assert not AttemptAnswer.objects.exists()


def test_late_submission_is_graded_as_timed_out(user_client, school, published, enrolled):
    quiz = _quiz(school, time_limit_seconds=60, passing_percentage_correct=50)
    _lesson(school, published, quiz)
    attempt = _start(user_client, quiz).json()
    assert attempt["deadline_at"] is not None
    QuizAttempt.objects.filter(pk=attempt["id"]).update(
        started_at=timezone.now() - timedelta(seconds=200),
        deadline_at=timezone.now() - timedelta(seconds=140),
    )

    late = _submit(user_client, attempt["id"], _right(quiz)).json()

    assert late["timed_out"] is True
    assert (late["score"], late["passed"]) == (0, False)


def test_submission_within_the_grace_counts(user_client, school, published, enrolled):
    quiz = _quiz(school, time_limit_seconds=60)
    _lesson(school, published, quiz)
    attempt = _start(user_client, quiz).json()
    QuizAttempt.objects.filter(pk=attempt["id"]).update(
        deadline_at=timezone.now() - timedelta(seconds=5)
    )

    data = _submit(user_client, attempt["id"], _right(quiz)).json()

    assert (data["timed_out"], data["score"]) == (False, 3)


def test_require_correct_response_refuses_a_wrong_answer_and_keeps_the_attempt_open(
    user_client, school, published, enrolled
):
    quiz = _quiz(school, require_correct_response=True)
    _lesson(school, published, quiz)
    attempt = _start(user_client, quiz).json()
    answers = _right(quiz)
    wrong_id = next(iter(answers))
    answers[wrong_id] = "nope"

    refused = _submit(user_client, attempt["id"], answers)

    assert refused.status_code == 400
    assert refused.json()["code"] == "quiz_response_incorrect"
    assert QuizAttempt.objects.get(pk=attempt["id"]).status == AttemptStatus.IN_PROGRESS
    assert _submit(user_client, attempt["id"], _right(quiz)).json()["passed"] is True


def test_freeform_waits_for_staff_who_grade_it_and_the_lesson_follows(
    user_client, api_client, school, published, enrolled
):
    quiz = quiz_create(school=school, name="Essay", passing_percentage_correct=50)
    essay = question_create(school=school, quiz=quiz, type="FREEFORM", html="<p>Why?</p>")
    lesson = _lesson(school, published, quiz)
    attempt = _start(user_client, quiz).json()
    submitted = _submit(user_client, attempt["id"], {essay.id: "Because."}).json()
    assert submitted["status"] == "awaiting_grading"
    assert submitted["score"] is None
    queue = api_client.get("/api/v1/quiz-attempts", {"status": "awaiting_grading"}).json()
    assert [row["id"] for row in queue["results"]] == [attempt["id"]]
    body = {"answers": [{"question_id": essay.id, "points": 1, "feedback": "Good."}]}

    by_learner = user_client.patch(f"/api/v1/quiz-attempts/{attempt['id']}", body, format="json")
    graded = api_client.patch(f"/api/v1/quiz-attempts/{attempt['id']}", body, format="json")

    assert by_learner.status_code == 403
    assert graded.status_code == 200, graded.json()
    data = graded.json()
    assert (data["status"], data["score"], data["passed"]) == ("graded", 1, True)
    assert data["results"][0]["feedback"] == "Good."
    assert LessonProgress.objects.get(user=enrolled.user, lesson=lesson).completed_at
    assert Event.objects.filter(type="quiz.attempt.graded").count() == 1


def test_grading_refuses_points_out_of_range_and_automatic_answers(
    user_client, api_client, school, published, enrolled, quiz, lesson
):
    attempt = _start(user_client, quiz).json()
    _submit(user_client, attempt["id"], {})
    question = quiz.questions.first()

    automatic = api_client.patch(
        f"/api/v1/quiz-attempts/{attempt['id']}",
        {"answers": [{"question_id": question.id, "points": 1}]},
        format="json",
    )
    too_many = api_client.patch(
        f"/api/v1/quiz-attempts/{attempt['id']}",
        {"answers": [{"question_id": question.id, "points": 5}]},
        format="json",
    )

    assert automatic.status_code == 400
    assert automatic.json()["code"] == "answer_not_manually_graded"
    assert too_many.status_code == 400
    assert QuizAttempt.objects.get(pk=attempt["id"]).score == 0


def test_grading_a_running_attempt_is_409(user_client, api_client, enrolled, quiz):
    attempt = _start(user_client, quiz).json()
    question = quiz.questions.first()

    response = api_client.patch(
        f"/api/v1/quiz-attempts/{attempt['id']}",
        {"answers": [{"question_id": question.id, "feedback": "x"}]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_not_submitted"


def test_api_key_acts_for_a_named_user_who_needs_access(api_client, school, enrolled, quiz):
    stranger = MemberFactory(school=school)

    missing = _start(api_client, quiz)
    no_access = _start(api_client, quiz, {"user_id": stranger.user_id})
    allowed = _start(api_client, quiz, {"user_id": enrolled.user_id})

    assert missing.status_code == 400
    assert missing.json()["code"] == "user_required"
    assert no_access.status_code == 403
    assert no_access.json()["code"] == "course_access_required"
    assert allowed.status_code == 201
    assert not QuizAttempt.objects.filter(user=stranger.user).exists()


def test_a_user_token_cannot_start_for_someone_else(user_client, school, enrolled, quiz):
    other = MemberFactory(school=school)

    response = _start(user_client, quiz, {"user_id": other.user_id})

    assert response.status_code == 403
    assert response.json()["code"] == "not_own_attempt"


def test_a_user_token_cannot_submit_someone_elses_attempt(
    user_client, school, published, enrolled, quiz
):
    other = MemberFactory(school=school)
    enrollment_create(published_course=published, user=other.user)
    theirs, _ = quiz_attempt_start(quiz=quiz, user=other.user)

    response = _submit(user_client, theirs.id, {})

    assert response.status_code == 404
    assert QuizAttempt.objects.get(pk=theirs.id).status == AttemptStatus.IN_PROGRESS


def test_lesson_must_show_the_quiz_and_is_required_when_ambiguous(
    api_client, school, published, enrolled, quiz, lesson
):
    second = _lesson(school, published, quiz)
    html = LessonFactory(school=school, course=published.course)
    body = {"user_id": enrolled.user_id}

    ambiguous = _start(api_client, quiz, body)
    wrong = _start(api_client, quiz, {**body, "lesson_id": html.id})
    named = _start(api_client, quiz, {**body, "lesson_id": second.id})

    assert ambiguous.status_code == 400
    assert ambiguous.json()["code"] == "lesson_required"
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "lesson_not_for_quiz"
    assert named.status_code == 201
    assert named.json()["lesson_id"] == second.id


def test_a_quiz_no_lesson_shows_is_409(api_client, school, enrolled):
    quiz = _quiz(school)

    response = _start(api_client, quiz, {"user_id": enrolled.user_id})

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_not_in_course"


def test_another_schools_quiz_is_404(other_api_client, enrolled, quiz):
    assert _start(other_api_client, quiz, {}).status_code == 404


def test_quiz_starts_are_limited_per_person(user_client, settings, enrolled, quiz):
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "quiz_start": 3}
    answers = [_start(user_client, quiz) for _ in range(4)]

    assert [r.status_code for r in answers] == [201, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "throttled"
    assert refused["X-RateLimit-Limit"] == "3"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["Retry-After"]) >= 1


def test_assessment_responses_are_newest_first_and_a_learner_sees_its_own(
    user_client, api_client, school, published, enrolled, quiz, lesson
):
    other = MemberFactory(school=school)
    enrollment_create(published_course=published, user=other.user)
    ids = []
    for client, user in ((user_client, enrolled.user), (api_client, other.user)):
        attempt = _start(client, quiz, {} if client is user_client else {"user_id": user.id})
        ids.append(_submit(client, attempt.json()["id"], {}).json()["id"])
    _start(user_client, quiz)  # running: not a response yet

    everyone = api_client.get(f"/api/v1/assessments/{lesson.id}/responses").json()
    own = user_client.get(f"/api/v1/assessments/{lesson.id}/responses").json()

    assert [row["id"] for row in everyone["results"]] == ids[::-1]
    assert [row["id"] for row in own["results"]] == ids[:1]


def test_assessment_responses_page_20(api_client, school, published, quiz, lesson):
    for _ in range(21):
        member = MemberFactory(school=school)
        enrollment_create(published_course=published, user=member.user)
        attempt, _ = quiz_attempt_start(quiz=quiz, user=member.user)
        api_client.post(
            f"/api/v1/quiz-attempts/{attempt.id}/submit", {"answers": {}}, format="json"
        )

    page = api_client.get(f"/api/v1/assessments/{lesson.id}/responses").json()

    assert page["count"] == 21
    assert len(page["results"]) == 20


def test_course_grades_show_the_best_result_per_quiz_lesson(
    user_client, api_client, published, enrolled, quiz, lesson
):
    first = _start(user_client, quiz).json()
    _submit(user_client, first["id"], {})
    second = _start(user_client, quiz).json()
    _submit(user_client, second["id"], _right(quiz))

    data = api_client.get(f"/api/v1/courses/{published.course_id}/grades").json()

    (row,) = data["results"]
    assert row["user"]["id"] == enrolled.user_id
    assert row["average_percentage"] == 100
    assert row["grades"] == [
        {
            "lesson_id": lesson.id,
            "lesson_title": lesson.title,
            "quiz_id": quiz.id,
            "attempts": 2,
            "best_score": 3,
            "max_score": 3,
            "best_percentage": 100,
            "passed": True,
            "success_status": "PASSED",
            "last_submitted_at": row["grades"][0]["last_submitted_at"],
        }
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_with_one_attempt_left_make_one_attempt(school):
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    quiz = _quiz(school, max_attempts=1)
    _lesson(school, published, quiz)
    member, _ = user_create(school=school, email="racer@alpha.test", first_name="Ra")
    enrollment_create(published_course=published, user=member.user)
    token = tokens_issue(member=member).access_token
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def start() -> None:
        client = make_client(token)
        barrier.wait()
        try:
            response = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", {}, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One start made the attempt; the other waited for the lock, then found it running.
    assert sorted(statuses) == [200, 201]
    assert QuizAttempt.objects.filter(quiz=quiz).count() == 1


def test_staff_grade_a_waiting_answer_in_the_admin_queue(staff_client, school, published, learner):
    quiz = quiz_create(school=school, name="Essay", passing_percentage_correct=100)
    essay = question_create(school=school, quiz=quiz, type="FREEFORM", html="<p>Why?</p>")
    _lesson(school, published, quiz)
    enrollment_create(published_course=published, user=learner.user)
    attempt, _ = quiz_attempt_start(quiz=quiz, user=learner.user)
    quiz_attempt_submit(attempt=attempt, answers={essay.id: "Because."})
    answer = AttemptAnswer.objects.get(attempt=attempt)
    queue = staff_client.get("/admin/enrollments/quizattempt/", {"status": "awaiting_grading"})
    assert attempt.id in queue.content.decode()

    response = staff_client.post(
        f"/admin/enrollments/quizattempt/{attempt.id}/change/",
        admin_inline_data(
            "answers",
            [{"id": answer.id, "attempt": attempt.id, "points": "1", "feedback": "Ok"}],
            1,
        ),
    )

    assert response.status_code == 302, response.content[:3000]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("graded", 1, True)
    answer.refresh_from_db()
    assert (answer.feedback, answer.graded_by_id) == ("Ok", response.wsgi_request.user.id)
    assert Event.objects.filter(type="quiz.attempt.graded").count() == 1
