"""The grading rule of each question type, and a quiz's pass mark."""

import pytest

from apps.catalog.models import QuestionType
from apps.catalog.services.grading import grade_question, grade_quiz
from apps.catalog.services.quizzes import question_create
from tests.factories import QuizFactory

pytestmark = pytest.mark.django_db


def _question(quiz, type, answers, **fields):
    return question_create(
        school=quiz.school, quiz=quiz, type=type, html="Q", answers=answers, **fields
    )


@pytest.fixture
def quiz(school):
    return QuizFactory(school=school, passing_percentage_correct=67)


def test_multiple_choice_is_right_only_with_the_correct_answer(quiz):
    question = _question(
        quiz,
        QuestionType.MULTIPLE_CHOICE,
        [{"answer_text": "42", "correct": True}, {"answer_text": "33"}],
    )
    right, wrong = question.answers.order_by("order")

    assert grade_question(question, right.id).correct is True
    assert grade_question(question, [right.id]).correct is True
    assert grade_question(question, wrong.id).correct is False
    assert grade_question(question, [right.id, wrong.id]).correct is False
    assert grade_question(question, None).correct is False
    assert grade_question(question, {"id": right.id}).correct is False


def test_multiple_answer_needs_exactly_the_correct_set(quiz):
    question = _question(
        quiz,
        QuestionType.MULTIPLE_ANSWER,
        [
            {"answer_text": "a", "correct": True},
            {"answer_text": "b", "correct": True},
            {"answer_text": "c"},
        ],
    )
    a, b, c = question.answers.order_by("order")

    assert grade_question(question, [b.id, a.id]).correct is True
    assert grade_question(question, [a.id]).correct is False
    assert grade_question(question, [a.id, b.id, c.id]).correct is False


@pytest.mark.parametrize(
    ("case_sensitive", "response", "correct"),
    [
        (False, "paris", True),
        (False, "  PARIS ", True),
        (False, "Ｐａｒｉｓ", True),  # full-width letters, NFKC
        (False, "Lyon", False),
        (False, "", False),
        (True, "Paris", True),
        (True, "paris", False),
        (False, 42, False),
    ],
)
def test_fill_in_the_blank_matches_accepted_texts(quiz, case_sensitive, response, correct):
    question = _question(
        quiz,
        QuestionType.FILL_IN_THE_BLANK,
        [{"answer_text": "Paris"}, {"answer_text": "Paname"}],
        case_sensitive=case_sensitive,
    )

    assert grade_question(question, response).correct is correct


def test_freeform_and_manually_graded_questions_wait_for_a_person(quiz):
    freeform = _question(quiz, QuestionType.FREEFORM, [])
    manual = _question(
        quiz,
        QuestionType.MULTIPLE_CHOICE,
        [{"answer_text": "x", "correct": True}],
        requires_manual_grading=True,
    )

    assert grade_question(freeform, "An essay").pending
    assert grade_question(manual, manual.answers.get().id).pending


def test_pass_mark_is_compared_exactly_not_on_a_rounded_percentage(quiz):
    questions = [
        _question(quiz, QuestionType.FILL_IN_THE_BLANK, [{"answer_text": str(n)}]) for n in range(3)
    ]

    two_of_three = grade_quiz(quiz, questions, {questions[0].id: "0", questions[1].id: "1"})
    all_three = grade_quiz(quiz, questions, {q.id: str(n) for n, q in enumerate(questions)})

    assert (two_of_three.correct, two_of_three.percentage) == (2, 66)
    assert two_of_three.passed is False  # 66.7 % is below 67 %
    assert all_three.passed is True


def test_a_quiz_with_a_question_waiting_for_a_person_is_not_final(quiz):
    auto = _question(quiz, QuestionType.FILL_IN_THE_BLANK, [{"answer_text": "yes"}])
    essay = _question(quiz, QuestionType.FREEFORM, [])

    grade = grade_quiz(quiz, [auto, essay], {auto.id: "yes", essay.id: "Because."})

    assert grade.final is False
    assert grade.passed is None
    assert grade.correct == 1
