"""Writes of quizzes, question banks and their questions.

A question belongs to exactly one quiz or one question bank. Its answers are written with
it and replaced as a whole: MULTIPLE_CHOICE needs exactly one correct answer,
MULTIPLE_ANSWER at least one, FILL_IN_THE_BLANK lists the accepted texts (all correct),
FREEFORM has none (it is graded by hand). ``case_sensitive`` only means something for
fill-in-the-blank. Turning a quiz's ``show_question_feedback`` off deletes the feedback its
questions held, as Skilljar does, and new questions of such a quiz store none.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import Answer, Question, QuestionBank, QuestionType, Quiz
from apps.core.errors import Conflict, InvalidInput
from apps.core.html import sanitize_html
from apps.schools.models import School

QUIZ_FIELDS = (
    "name",
    "html",
    "passing_percentage_correct",
    "show_results_on_failure",
    "max_attempts",
    "require_correct_response",
    "randomize_questions",
    "limit_question_count",
    "randomize_answers",
    "time_limit_seconds",
    "show_question_feedback",
)
FEEDBACK_FIELDS = ("correct_answer_feedback_html", "incorrect_answer_feedback_html")


def _drop_feedback(quiz: Quiz) -> None:
    Question.objects.filter(quiz=quiz).update(
        correct_answer_feedback_html="", incorrect_answer_feedback_html=""
    )


@transaction.atomic
def quiz_create(*, school: School, name: str, **fields: Any) -> Quiz:
    """Create a quiz (defaults: unlimited attempts, every question, no time limit)."""
    if "html" in fields:
        fields["html"] = sanitize_html(fields["html"] or "")
    return Quiz.objects.create(school=school, name=name, **fields)


@transaction.atomic
def quiz_update(*, quiz: Quiz, **fields: Any) -> Quiz:
    """Change the given settings; switching feedback off deletes the questions' feedback."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if "html" in fields:
        fields["html"] = sanitize_html(fields["html"] or "")
    changed = [name for name, value in fields.items() if getattr(quiz, name) != value]
    for name in changed:
        setattr(quiz, name, fields[name])
    if changed:
        quiz.save(update_fields=[*changed, "updated_at"])
    if "show_question_feedback" in changed and not quiz.show_question_feedback:
        _drop_feedback(quiz)
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz) -> None:
    """Delete a quiz with its questions; 409 while a lesson or content item shows it."""
    try:
        Quiz.objects.filter(pk=quiz.pk).delete()
    except ProtectedError:
        raise Conflict(
            "Lessons or content items still show this quiz; point them elsewhere first.",
            code=CatalogErrorCode.IN_USE,
        ) from None


def question_bank_create(*, school: School, name: str) -> QuestionBank:
    """Create a question bank."""
    return QuestionBank.objects.create(school=school, name=name)


def _invalid_answers(message: str) -> InvalidInput:
    return InvalidInput(message, code=CatalogErrorCode.ANSWERS_INVALID, field="answers")


def _check_answers(question_type: str, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers to store for a question of this type, or 400 naming ``answers``."""
    if question_type == QuestionType.FREEFORM:
        if answers:
            raise _invalid_answers("FREEFORM questions take no answers; they are graded by hand.")
        return []
    if not answers:
        raise _invalid_answers(f"{question_type} questions need answers.")
    texts = [answer["answer_text"].strip() for answer in answers]
    if len({text.casefold() for text in texts}) != len(texts):
        raise _invalid_answers("Two answers have the same text.")
    correct = sum(bool(answer.get("correct")) for answer in answers)
    if question_type == QuestionType.MULTIPLE_CHOICE and correct != 1:
        raise _invalid_answers("A MULTIPLE_CHOICE question needs exactly one correct answer.")
    if question_type == QuestionType.MULTIPLE_ANSWER and correct < 1:
        raise _invalid_answers("A MULTIPLE_ANSWER question needs at least one correct answer.")
    if question_type == QuestionType.FILL_IN_THE_BLANK:
        if any(answer.get("correct") is False for answer in answers):
            raise _invalid_answers("Fill-in-the-blank answers are the accepted texts: all correct.")
        return [{"answer_text": text, "correct": True} for text in texts]
    return [
        {"answer_text": text, "correct": bool(answer.get("correct"))}
        for text, answer in zip(texts, answers, strict=True)
    ]


def _check_question(question: Question) -> None:
    if (question.quiz_id is None) == (question.question_bank_id is None):
        raise InvalidInput(
            "Give exactly one of quiz and quiz_question_bank.",
            code=CatalogErrorCode.QUESTION_PARENT,
            field="quiz",
        )
    if question.case_sensitive and question.type != QuestionType.FILL_IN_THE_BLANK:
        raise InvalidInput(
            "case_sensitive is only for FILL_IN_THE_BLANK questions.",
            code=CatalogErrorCode.CASE_SENSITIVE_FILL_IN_ONLY,
            field="case_sensitive",
        )
    parent = question.quiz or question.question_bank
    if parent.school_id != question.school_id:
        raise InvalidInput("The quiz or question bank does not exist.", field="quiz")


def _write_answers(question: Question, answers: Iterable[dict[str, Any]]) -> None:
    Answer.objects.filter(question=question).delete()
    Answer.objects.bulk_create(
        Answer(school=question.school, question=question, order=position, **answer)
        for position, answer in enumerate(answers, start=1)
    )


def _clean_html(question: Question) -> None:
    question.html = sanitize_html(question.html)
    for name in FEEDBACK_FIELDS:
        kept = question.quiz is None or question.quiz.show_question_feedback
        setattr(question, name, sanitize_html(getattr(question, name)) if kept else "")


@transaction.atomic
def question_create(
    *,
    school: School,
    type: str,
    html: str,
    quiz: Quiz | None = None,
    question_bank: QuestionBank | None = None,
    answers: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Question:
    """Add a question at the end of its quiz or bank, with its answers."""
    question = Question(
        school=school, type=type, html=html, quiz=quiz, question_bank=question_bank, **fields
    )
    _check_question(question)
    stored = _check_answers(type, answers or [])
    siblings = Question.objects.filter(quiz=quiz, question_bank=question_bank)
    question.order = siblings.count() + 1
    _clean_html(question)
    question.save(force_insert=True)
    _write_answers(question, stored)
    return question


@transaction.atomic
def question_update(
    *, question: Question, answers: list[dict[str, Any]] | None = None, **fields: Any
) -> Question:
    """Change the given fields; ``answers``, when given, replace the question's answers.
    The rules are checked on the result (a type change needs answers that fit it)."""
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=question.pk)
    )
    for name, value in fields.items():
        setattr(question, name, value)
    _check_question(question)
    if answers is not None:
        stored = _check_answers(question.type, answers)
    else:  # the answers kept (and their ids) must still fit the question
        current = [
            {"answer_text": a.answer_text, "correct": a.correct} for a in question.answers.all()
        ]
        _check_answers(question.type, current)
        stored = None
    _clean_html(question)
    question.save()
    if stored is not None:
        _write_answers(question, stored)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question and its answers."""
    Question.objects.filter(pk=question.pk).delete()
