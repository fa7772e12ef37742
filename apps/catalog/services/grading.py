"""Grading a learner's responses against a quiz's questions: one rule per question type.

Pure functions over loaded questions (their answers prefetched); enrollments call them when
an attempt is submitted and store the result. A response is:

- MULTIPLE_CHOICE: the chosen answer's id (a one-item list is accepted too);
- MULTIPLE_ANSWER: the list of chosen answer ids (order does not matter);
- FILL_IN_THE_BLANK: the text typed; it matches an accepted answer after trimming and
  Unicode normalisation (NFKC), and ignoring case unless the question is case-sensitive;
- FREEFORM: any text; it waits for a person to grade it.

A question marked ``requires_manual_grading`` waits for a person whatever its type, and so
does the quiz it is on: its score is not final until every such question is graded.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.catalog.models import Question, QuestionType, Quiz


@dataclass(frozen=True)
class QuestionGrade:
    """``correct`` is None while the question waits for a person."""

    question_id: str
    correct: bool | None

    @property
    def pending(self) -> bool:
        return self.correct is None


@dataclass(frozen=True)
class QuizGrade:
    """The automatic part of an attempt's grade; ``final`` once nothing waits for a person."""

    questions: tuple[QuestionGrade, ...]
    correct: int
    total: int
    percentage: int  # rounded down, for display
    passed: bool | None  # None while questions wait for manual grading

    @property
    def final(self) -> bool:
        return not any(grade.pending for grade in self.questions)


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""


def _ids(value: Any) -> set[str] | None:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return set(value)
    return None


def grade_question(question: Question, response: Any) -> QuestionGrade:
    """Grade one response; a response of the wrong shape is simply wrong, never an error."""
    if question.requires_manual_grading or question.type == QuestionType.FREEFORM:
        return QuestionGrade(question.id, None)
    answers = list(question.answers.all())
    if question.type == QuestionType.FILL_IN_THE_BLANK:
        given = _text(response)
        accepted = [_text(answer.answer_text) for answer in answers]
        if not question.case_sensitive:
            given, accepted = given.casefold(), [text.casefold() for text in accepted]
        return QuestionGrade(question.id, bool(given) and given in accepted)
    # MULTIPLE_CHOICE and MULTIPLE_ANSWER alike: exactly the correct answers were chosen.
    chosen = _ids(response)
    correct_ids = {answer.id for answer in answers if answer.correct}
    return QuestionGrade(question.id, chosen is not None and chosen == correct_ids)


def grade_quiz(quiz: Quiz, questions: list[Question], responses: Mapping[str, Any]) -> QuizGrade:
    """Grade the questions an attempt was given (a question not answered is wrong); the
    percentage counts every question, ``passed`` compares it with the quiz's pass mark."""
    grades = tuple(grade_question(q, responses.get(q.id)) for q in questions)
    correct = sum(grade.correct is True for grade in grades)
    total = len(grades)
    final = not any(grade.pending for grade in grades)
    passed = passes(quiz, correct, total) if final else None
    return QuizGrade(grades, correct, total, percentage(correct, total), passed)


def percentage(correct: int, total: int) -> int:
    """The share of points earned, rounded down (100 for a quiz without questions)."""
    return 100 * correct // total if total else 100


def passes(quiz: Quiz, correct: int, total: int) -> bool:
    """Whether ``correct`` points of ``total`` reach the quiz's pass mark; also used once a
    person has graded the questions that waited for them."""
    # Compared exactly (2 of 3 is 66.7 %, below a 67 % pass mark), not on the rounded figure.
    return correct * 100 >= quiz.passing_percentage_correct * total
