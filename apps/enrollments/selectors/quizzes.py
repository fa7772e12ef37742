"""Reads of quiz attempts: the questions an attempt gave, the API's attempt shape (what a
learner may see of the results follows the quiz's settings), and a course's grades."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from apps.catalog.models import Course, Lesson, LessonType, Question, QuestionType
from apps.core.times import format_datetime
from apps.enrollments.models import AttemptAnswer, AttemptStatus, QuizAttempt


def attempt_queryset(queryset: QuerySet[QuizAttempt]) -> QuerySet[QuizAttempt]:
    """Attempts with what their API shape reads: two statements for a page of them."""
    return queryset.select_related("quiz", "user").prefetch_related(
        Prefetch("answers", queryset=AttemptAnswer.objects.order_by("position"))
    )


def _questions(ids: Iterable[str]) -> dict[str, Question]:
    found = Question.objects.filter(id__in=set(ids)).prefetch_related("answers")
    return {question.id: question for question in found}


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    """The questions ``attempt`` gave, in the order it gave them, answers loaded; a question
    deleted from the quiz since is left out."""
    by_id = _questions(attempt.question_ids)
    return [by_id[each] for each in attempt.question_ids if each in by_id]


def _correct_answers(question: Question | None) -> list[str] | None:
    """The answer ids that are right (choice questions) or the accepted texts (fill in the
    blank); an empty list for free-form questions."""
    if question is None:
        return None
    answers = list(question.answers.all())
    if question.type == QuestionType.FILL_IN_THE_BLANK:
        return [answer.answer_text for answer in answers]
    return [answer.id for answer in answers if answer.correct]


def results_visible(attempt: QuizAttempt, *, staff: bool) -> bool:
    """Whether the per-question results are shown: always to staff once submitted; to the
    learner once graded, if passed or the quiz shows results on failure (Skilljar's rule)."""
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return False
    if staff:
        return True
    if attempt.status != AttemptStatus.GRADED:
        return False
    return bool(attempt.passed) or attempt.quiz.show_results_on_failure


def _results(
    attempt: QuizAttempt, questions: dict[str, Question], *, staff: bool
) -> list[dict[str, Any]] | None:
    if not results_visible(attempt, staff=staff):
        return None
    quiz = attempt.quiz
    # Correct answers are shown to a learner who passed, never to one who failed.
    show_correct = staff or bool(attempt.passed)
    rows = []
    for answer in attempt.answers.all():
        question = questions.get(answer.question_id)
        correct = None if answer.points is None else answer.points == answer.max_points
        feedback = answer.feedback
        if not feedback and question is not None and correct is not None and not answer.manual:
            if quiz.show_question_feedback:
                feedback = (
                    question.correct_answer_feedback_html
                    if correct
                    else question.incorrect_answer_feedback_html
                )
        rows.append(
            {
                "question_id": answer.question_id,
                "response": answer.response,
                "correct": correct,
                "points": answer.points,
                "max_points": answer.max_points,
                "manually_graded": answer.manual,
                "feedback": feedback,
                "correct_answers": _correct_answers(question) if show_correct else None,
            }
        )
    return rows


def _shown_questions(attempt: QuizAttempt, questions: dict[str, Question]) -> list[dict]:
    shown = []
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        texts = {answer.id: answer.answer_text for answer in question.answers.all()}
        order = attempt.answer_order.get(question_id, [])
        shown.append(
            {
                "id": question.id,
                "type": question.type,
                "html": question.html,
                "answers": [
                    {"id": answer_id, "answer_text": texts[answer_id]}
                    for answer_id in order
                    if answer_id in texts
                ],
            }
        )
    return shown


def _success_status(attempt: QuizAttempt) -> str | None:
    if attempt.passed is None:
        return None
    return "PASSED" if attempt.passed else "FAILED"


def attempts_read(attempts: list[QuizAttempt], *, staff: bool) -> list[dict[str, Any]]:
    """The API shape of each attempt (loaded through ``attempt_queryset``): two more
    statements for the questions of all of them, whatever their number."""
    questions = _questions(qid for attempt in attempts for qid in attempt.question_ids)
    return [
        {
            "id": attempt.id,
            "quiz_id": attempt.quiz_id,
            "lesson_id": attempt.lesson_id,
            "course_id": attempt.course_id,
            "user": {
                "id": attempt.user.id,
                "email": attempt.user.email,
                "first_name": attempt.user.first_name,
                "last_name": attempt.user.last_name,
            },
            "number": attempt.number,
            "status": attempt.status,
            "started_at": format_datetime(attempt.started_at),
            "deadline_at": format_datetime(attempt.deadline_at),
            "submitted_at": format_datetime(attempt.submitted_at),
            "graded_at": format_datetime(attempt.graded_at),
            "timed_out": attempt.timed_out,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "percentage": attempt.percentage,
            "passed": attempt.passed,
            "success_status": _success_status(attempt),
            "questions": _shown_questions(attempt, questions),
            "results": _results(attempt, questions, staff=staff),
            "created_at": format_datetime(attempt.created_at),
            "updated_at": format_datetime(attempt.updated_at),
        }
        for attempt in attempts
    ]


def course_grades(*, course: Course, user_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each person's grade in every QUIZ lesson of ``course`` (in course order): attempts
    made, best graded score and percentage, whether any attempt passed. Two statements."""
    lessons = list(
        Lesson.objects.filter(course=course, type=LessonType.QUIZ)
        .order_by("order")
        .values("id", "title", "content_quiz_id")
    )
    graded = Q(status=AttemptStatus.GRADED)
    stats = (
        QuizAttempt.objects.filter(course=course, user_id__in=user_ids)
        .values("user_id", "lesson_id")
        .annotate(
            attempts=Count("id"),
            best_score=Max("score", filter=graded),
            max_score=Max("max_score", filter=graded),
            best_percentage=Max("percentage", filter=graded),
            passes=Count("id", filter=graded & Q(passed=True)),
            graded_count=Count("id", filter=graded),
            last_submitted_at=Max("submitted_at"),
        )
        .order_by()
    )
    by_key = {(row["user_id"], row["lesson_id"]): row for row in stats}
    grades: dict[str, list[dict[str, Any]]] = {}
    for user_id in user_ids:
        rows = []
        for lesson in lessons:
            row = by_key.get((user_id, lesson["id"]), {})
            graded_count = row.get("graded_count", 0)
            rows.append(
                {
                    "lesson_id": lesson["id"],
                    "lesson_title": lesson["title"],
                    "quiz_id": lesson["content_quiz_id"],
                    "attempts": row.get("attempts", 0),
                    "best_score": row.get("best_score"),
                    "max_score": row.get("max_score"),
                    "best_percentage": row.get("best_percentage"),
                    "passed": (row["passes"] > 0) if graded_count else None,
                    "success_status": (
                        ("PASSED" if row["passes"] else "FAILED") if graded_count else None
                    ),
                    "last_submitted_at": format_datetime(row.get("last_submitted_at")),
                }
            )
        grades[user_id] = rows
    return grades


def grade_average(rows: list[dict[str, Any]]) -> int | None:
    """The mean of the best percentages of the graded quiz lessons (rounded down), or None."""
    graded = [row["best_percentage"] for row in rows if row["best_percentage"] is not None]
    return sum(graded) // len(graded) if graded else None
