import pytest

from apps.catalog.models import Question, Quiz
from tests.factories import LessonFactory, QuizFactory

pytestmark = pytest.mark.django_db

SEED_QUIZ = {
    "name": "Quiz 1",
    "html": "<p>This quiz covers the content from lessons 1, 2, and 3.</p>",
    "passing_percentage_correct": 75,
    "show_results_on_failure": True,
    "max_attempts": 3,
    "randomize_questions": True,
}
SEED_QUESTION = {
    "html": "<p>What is the answer to life, the universe, and everything?</p>",
    "type": "MULTIPLE_CHOICE",
    "answers": [{"answer_text": "42", "correct": True}, {"answer_text": "33", "correct": False}],
}


def test_create_quiz_answers_the_seed_settings_and_defaults(api_client):
    response = api_client.post("/api/v1/quizzes", SEED_QUIZ, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("qiz_")
    for name, value in SEED_QUIZ.items():
        assert body[name] == value
    assert body["limit_question_count"] == 0  # every question
    assert body["time_limit_seconds"] is None  # no limit
    assert (body["question_count"], body["requires_manual_grading"]) == (0, False)


def test_quiz_list_filters_by_exact_case_sensitive_name(api_client, school):
    QuizFactory(school=school, name="Quiz 1")
    QuizFactory(school=school, name="quiz 1")

    response = api_client.get("/api/v1/quizzes?name=Quiz 1")

    assert [row["name"] for row in response.json()["results"]] == ["Quiz 1"]


def test_seed_question_is_created_with_its_answers(api_client, school):
    quiz = QuizFactory(school=school)

    response = api_client.post(
        "/api/v1/quiz-questions", {**SEED_QUESTION, "quiz": quiz.id}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["quiz"], body["quiz_question_bank"], body["order"]) == (quiz.id, None, 1)
    assert [(a["answer_text"], a["correct"]) for a in body["answers"]] == [
        ("42", True),
        ("33", False),
    ]
    assert api_client.get(f"/api/v1/quizzes/{quiz.id}").json()["question_count"] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "answers": [
                    {"answer_text": "42", "correct": True},
                    {"answer_text": "7", "correct": True},
                ]
            },
            "answers",
        ),
        ({"answers": [{"answer_text": "42"}, {"answer_text": "7"}]}, "answers"),
        ({"answers": []}, "answers"),
        ({"type": "MULTIPLE_ANSWER", "answers": [{"answer_text": "a"}]}, "answers"),
        ({"type": "FREEFORM"}, "answers"),
        ({"case_sensitive": True}, "case_sensitive"),
        ({"answers": [{"answer_text": "42", "correct": True}, {"answer_text": "42 "}]}, "answers"),
    ],
)
def test_questions_that_break_their_types_rules_are_400(api_client, school, changes, field):
    quiz = QuizFactory(school=school)

    response = api_client.post(
        "/api/v1/quiz-questions", {**SEED_QUESTION, "quiz": quiz.id, **changes}, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Question.objects.exists()


def test_a_question_needs_exactly_one_of_quiz_and_bank(api_client, school):
    quiz = QuizFactory(school=school)
    bank = api_client.post("/api/v1/question-banks", {"name": "Bank"}, format="json").json()

    neither = api_client.post("/api/v1/quiz-questions", SEED_QUESTION, format="json")
    both = api_client.post(
        "/api/v1/quiz-questions",
        {**SEED_QUESTION, "quiz": quiz.id, "quiz_question_bank": bank["id"]},
        format="json",
    )
    in_bank = api_client.post(
        "/api/v1/quiz-questions", {**SEED_QUESTION, "quiz_question_bank": bank["id"]}, format="json"
    )

    assert neither.status_code == both.status_code == 400
    assert in_bank.status_code == 201
    assert api_client.get(f"/api/v1/question-banks/{bank['id']}").json()["question_count"] == 1


def test_freeform_and_manual_questions_make_the_quiz_manually_graded(api_client, school):
    quiz = QuizFactory(school=school)

    freeform = api_client.post(
        "/api/v1/quiz-questions",
        {"quiz": quiz.id, "html": "Explain.", "type": "FREEFORM", "requires_manual_grading": True},
        format="json",
    )

    assert freeform.status_code == 201, freeform.content
    assert api_client.get(f"/api/v1/quizzes/{quiz.id}").json()["requires_manual_grading"] is True


def test_fill_in_the_blank_answers_are_all_accepted_texts(api_client, school):
    quiz = QuizFactory(school=school)

    response = api_client.post(
        "/api/v1/quiz-questions",
        {
            "quiz": quiz.id,
            "html": "The capital of France is ___.",
            "type": "FILL_IN_THE_BLANK",
            "case_sensitive": True,
            "answers": [{"answer_text": "Paris"}, {"answer_text": "Paname"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert [a["correct"] for a in response.json()["answers"]] == [True, True]


def test_turning_feedback_off_deletes_the_stored_feedback(api_client, school):
    quiz = QuizFactory(school=school)
    question = api_client.post(
        "/api/v1/quiz-questions",
        {
            **SEED_QUESTION,
            "quiz": quiz.id,
            "correct_answer_feedback_html": "<p>Well done</p>",
            "incorrect_answer_feedback_html": "<p>Read chapter 3</p>",
        },
        format="json",
    ).json()

    api_client.patch(f"/api/v1/quizzes/{quiz.id}", {"show_question_feedback": False}, format="json")

    stored = Question.objects.get(pk=question["id"])
    assert (stored.correct_answer_feedback_html, stored.incorrect_answer_feedback_html) == ("", "")


def test_updating_answers_replaces_them_and_rules_hold_on_the_result(api_client, school):
    quiz = QuizFactory(school=school)
    question = api_client.post(
        "/api/v1/quiz-questions", {**SEED_QUESTION, "quiz": quiz.id}, format="json"
    ).json()

    to_multiple_answer = api_client.patch(
        f"/api/v1/quiz-questions/{question['id']}",
        {
            "type": "MULTIPLE_ANSWER",
            "answers": [
                {"answer_text": "a", "correct": True},
                {"answer_text": "b", "correct": True},
            ],
        },
        format="json",
    )
    to_freeform_keeping_answers = api_client.patch(
        f"/api/v1/quiz-questions/{question['id']}", {"type": "FREEFORM"}, format="json"
    )

    assert to_multiple_answer.status_code == 200, to_multiple_answer.content
    assert [a["answer_text"] for a in to_multiple_answer.json()["answers"]] == ["a", "b"]
    assert to_freeform_keeping_answers.status_code == 400


def test_a_quiz_a_lesson_shows_cannot_be_deleted(api_client, school):
    quiz = QuizFactory(school=school)
    LessonFactory(school=school, type="QUIZ", content_quiz=quiz)
    unused = QuizFactory(school=school)

    assert api_client.delete(f"/api/v1/quizzes/{quiz.id}").status_code == 409
    assert api_client.delete(f"/api/v1/quizzes/{unused.id}").status_code == 204
    assert list(Quiz.objects.values_list("id", flat=True)) == [quiz.id]


def test_another_schools_quiz_is_404_and_not_a_parent(api_client, other_school):
    quiz = QuizFactory(school=other_school)

    assert api_client.get(f"/api/v1/quizzes/{quiz.id}").status_code == 404
    assert api_client.delete(f"/api/v1/quizzes/{quiz.id}").status_code == 404
    response = api_client.post(
        "/api/v1/quiz-questions", {**SEED_QUESTION, "quiz": quiz.id}, format="json"
    )
    assert response.status_code == 400
    assert "quiz" in response.json()["errors"]
    assert Quiz.objects.filter(pk=quiz.pk).exists()
