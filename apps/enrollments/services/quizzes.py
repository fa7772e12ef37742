"""Writes of quiz attempts: starting, submitting (graded by the catalog's grading service),
manual grading of the answers that wait for a person, and the QUIZ lesson's result.

Rules (docs/enrollments.md, "Quiz attempts"):

- attempts are counted per (person, lesson); starting one locks the person's progress row
  of that lesson, so two simultaneous starts with one attempt left give one attempt and one
  409, and the unique ``number`` backs it;
- a person has at most one attempt in progress per lesson: starting again while it runs
  answers that attempt;
- the time limit runs on the server's clock from ``started_at``; a submission later than
  the deadline plus ``TIME_LIMIT_GRACE`` is graded as timed out: its answers are discarded
  and the attempt scores what an empty submission scores;
- every question is worth one point, as ``apps.catalog.services.grading`` counts them.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Lesson, LessonType, Question, QuestionType, Quiz
from apps.catalog.services import grading
from apps.core.errors import ApiError, Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import (
    AttemptAnswer,
    AttemptStatus,
    LessonProgress,
    QuizAttempt,
    SuccessStatus,
)
from apps.enrollments.selectors.enrollments import has_course_access
from apps.enrollments.selectors.quizzes import attempt_questions
from apps.enrollments.services.progress import (
    lesson_gates_check,
    lesson_progress_record,
    progress_rows_ensure,
)
from apps.schools.models import User

# A submission this long after the deadline still counts as on time: the request left the
# learner's device before the deadline and spent the rest on the network.
TIME_LIMIT_GRACE = timedelta(seconds=30)
# Question types whose answers a learner picks from (the others show no answers: a
# fill-in-the-blank's answers are the accepted texts).
CHOICE_TYPES = (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_ANSWER)

_random = random.SystemRandom()


@dataclass(frozen=True)
class AnswerGrade:
    """A person's grade of one answer: ``points`` (None keeps them) and ``feedback``."""

    question_id: str
    points: int | None = None
    feedback: str | None = None


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def success_status(attempt: QuizAttempt) -> str | None:
    """PASSED or FAILED once graded, else None."""
    if attempt.passed is None:
        return None
    return SuccessStatus.PASSED if attempt.passed else SuccessStatus.FAILED


def attempt_payload(attempt: QuizAttempt) -> dict[str, Any]:
    """The event data of an attempt (its grade, not its answers)."""
    return {
        "id": attempt.id,
        "quiz": {"id": attempt.quiz_id, "name": attempt.quiz.name},
        "lesson": {"id": attempt.lesson_id, "title": attempt.lesson.title},
        "course": {"id": attempt.course_id, "title": attempt.course.title},
        "user": _user_ref(attempt.user),
        "number": attempt.number,
        "status": attempt.status,
        "started_at": format_datetime(attempt.started_at),
        "submitted_at": format_datetime(attempt.submitted_at),
        "graded_at": format_datetime(attempt.graded_at),
        "timed_out": attempt.timed_out,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percentage": attempt.percentage,
        "passed": attempt.passed,
        "success_status": success_status(attempt),
    }


def _forbidden(detail: str, code: str) -> ApiError:
    return ApiError(detail, code=code, status_code=403)


def quiz_lesson_resolve(*, quiz: Quiz, user: User, lesson: Lesson | None) -> Lesson:
    """The QUIZ lesson an attempt is taken in: ``lesson`` when it shows ``quiz`` (400
    otherwise), else the only lesson showing it, or the only one of those in a course the
    person may learn (400 ``lesson_required`` when that is still ambiguous, 409 when no
    lesson shows the quiz)."""
    if lesson is not None:
        if lesson.type != LessonType.QUIZ or lesson.content_quiz_id != quiz.id:
            raise InvalidInput(
                "lesson_id: this lesson does not show the quiz.",
                code=EnrollmentErrorCode.LESSON_NOT_FOR_QUIZ,
                field="lesson_id",
            )
        return lesson
    lessons = list(
        Lesson.objects.filter(school=quiz.school, type=LessonType.QUIZ, content_quiz=quiz)
        .select_related("course")
        .order_by("id")
    )
    if not lessons:
        raise Conflict(
            "No lesson of a course shows this quiz.", code=EnrollmentErrorCode.QUIZ_NOT_IN_COURSE
        )
    if len(lessons) > 1:
        lessons = [each for each in lessons if has_course_access(user=user, course=each.course)]
        if len(lessons) != 1:
            raise InvalidInput(
                "lesson_id: several lessons show this quiz; name one.",
                code=EnrollmentErrorCode.LESSON_REQUIRED,
                field="lesson_id",
            )
    return lessons[0]


def _draw(quiz: Quiz) -> tuple[list[str], dict[str, list[str]]]:
    """The questions an attempt gets, in order, and each choice question's answer order."""
    questions = list(Question.objects.filter(quiz=quiz).prefetch_related("answers"))
    if quiz.limit_question_count and quiz.limit_question_count < len(questions):
        positions = sorted(_random.sample(range(len(questions)), quiz.limit_question_count))
        questions = [questions[index] for index in positions]
    if quiz.randomize_questions:
        _random.shuffle(questions)
    answer_order: dict[str, list[str]] = {}
    for question in questions:
        if question.type not in CHOICE_TYPES:
            continue
        ids = [answer.id for answer in question.answers.all()]
        if quiz.randomize_answers:
            _random.shuffle(ids)
        answer_order[question.id] = ids
    return [question.id for question in questions], answer_order


def _timed_out(
    attempt: QuizAttempt, submitted_at: datetime, grace: timedelta = TIME_LIMIT_GRACE
) -> bool:
    return attempt.deadline_at is not None and submitted_at > attempt.deadline_at + grace


@transaction.atomic
def quiz_attempt_start(
    *, quiz: Quiz, user: User, lesson: Lesson | None = None, now: datetime | None = None
) -> tuple[QuizAttempt, bool]:
    """Start an attempt at ``quiz`` for ``user`` in its lesson; ``(attempt, False)`` when an
    attempt is still running there. Raises 403 ``course_access_required`` without access to the
    lesson's course and 409 ``max_attempts_reached`` past the quiz's limit (an attempt that
    ran out of time is closed as timed out first, and counts)."""
    now = timezone.now() if now is None else now
    lesson = quiz_lesson_resolve(quiz=quiz, user=user, lesson=lesson)
    _access_check(user=user, lesson=lesson, at=now)
    attempts, running = _attempts_locked(user=user, lesson=lesson, now=now)
    if running is not None:
        return running, False
    return _attempt_create(quiz=quiz, user=user, lesson=lesson, used=attempts, started_at=now), True


def _access_check(*, user: User, lesson: Lesson, at: datetime) -> None:
    """403 without access to the lesson's course at ``at``; 409 while the lesson's drip
    release or, under sequential navigation, the lessons before it hold it back."""
    if not has_course_access(user=user, course=lesson.course, at=at):
        raise _forbidden(
            "This person has no access to the course of the quiz's lesson.",
            EnrollmentErrorCode.COURSE_ACCESS_REQUIRED,
        )
    lesson_gates_check(user=user, lesson=lesson, at=at)


def _attempts_locked(
    *, user: User, lesson: Lesson, now: datetime
) -> tuple[int, QuizAttempt | None]:
    """How many attempts the person has in the lesson and the one still running, under the
    lock of their progress row (the count stays true until commit). A running attempt past
    its deadline is closed as timed out first (it still counts)."""
    progress_rows_ensure(user=user, course=lesson.course)
    LessonProgress.objects.select_for_update().filter(user=user, lesson=lesson).get()
    attempts = QuizAttempt.objects.filter(user=user, lesson=lesson)
    running = attempts.filter(status=AttemptStatus.IN_PROGRESS).order_by("-number").first()
    if running is not None and _timed_out(running, now):
        _submit(running, {}, now)
        running = None
    return attempts.count(), running


def _attempt_create(
    *, quiz: Quiz, user: User, lesson: Lesson, used: int, started_at: datetime
) -> QuizAttempt:
    """A new attempt, numbered after the ``used`` ones, with its questions drawn; 409
    ``max_attempts_reached`` past the quiz's limit."""
    if quiz.max_attempts and used >= quiz.max_attempts:
        raise Conflict(
            f"This quiz allows {quiz.max_attempts} attempts and all have been used.",
            code=EnrollmentErrorCode.MAX_ATTEMPTS_REACHED,
        )
    question_ids, answer_order = _draw(quiz)
    limit = quiz.time_limit_seconds
    with conflict_on_duplicate(
        "enr_quizattempt_number_once",
        Conflict(
            "Another attempt was started at the same time.",
            code=EnrollmentErrorCode.MAX_ATTEMPTS_REACHED,
        ),
    ):
        return QuizAttempt.objects.create(
            school_id=quiz.school_id,
            user=user,
            quiz=quiz,
            lesson=lesson,
            course=lesson.course,
            number=used + 1,
            started_at=started_at,
            deadline_at=started_at + timedelta(seconds=limit) if limit else None,
            question_ids=question_ids,
            answer_order=answer_order,
        )


@transaction.atomic
def quiz_attempt_record(
    *,
    quiz: Quiz,
    user: User,
    lesson: Lesson | None = None,
    answers: Mapping[str, Any],
    started_at: datetime,
    submitted_at: datetime,
    now: datetime | None = None,
) -> QuizAttempt:
    """Record an attempt taken away from the server (offline): started and submitted at the
    client's ``started_at`` and ``submitted_at``, graded at once as a submission is.

    The same rules as a start and a submit: the person needs access to the lesson's course
    now and at ``started_at`` (403 ``course_access_required``), the lesson released by
    ``started_at`` (409 ``lesson_not_released``) and, under sequential navigation, the
    lessons before it complete (409); 409 ``max_attempts_reached`` past the limit (an
    attempt still running there counts). The server draws the questions as for a start;
    answers to questions of the quiz the draw left out are ignored, to questions not in the
    quiz 400 ``question_not_in_attempt``. 400 ``attempt_times_invalid`` when ``started_at``
    is after ``submitted_at``. The time limit is checked on the client's clock without the
    network grace: taken longer than ``time_limit_seconds``, the attempt is graded as timed
    out (answers discarded)."""
    now = timezone.now() if now is None else now
    if started_at > submitted_at:
        raise InvalidInput(
            "started_at: an attempt cannot start after it was submitted.",
            code=EnrollmentErrorCode.ATTEMPT_TIMES_INVALID,
            field="started_at",
        )
    lesson = quiz_lesson_resolve(quiz=quiz, user=user, lesson=lesson)
    _access_check(user=user, lesson=lesson, at=started_at)
    if not has_course_access(user=user, course=lesson.course, at=now):
        raise _forbidden(
            "This person has no access to the course of the quiz's lesson.",
            EnrollmentErrorCode.COURSE_ACCESS_REQUIRED,
        )
    in_quiz = set(Question.objects.filter(quiz=quiz).values_list("id", flat=True))
    unknown = sorted(set(answers) - in_quiz)
    if unknown:
        raise InvalidInput(
            f"answers.{unknown[0]}: this quiz has no such question.",
            code=EnrollmentErrorCode.QUESTION_NOT_IN_ATTEMPT,
            field=f"answers.{unknown[0]}",
        )
    used, _running = _attempts_locked(user=user, lesson=lesson, now=now)
    attempt = _attempt_create(quiz=quiz, user=user, lesson=lesson, used=used, started_at=started_at)
    attempt = _lock(attempt)
    given = set(attempt.question_ids)
    drawn = {question_id: answers[question_id] for question_id in answers if question_id in given}
    return _submit(attempt, drawn, now, submitted_at=submitted_at, grace=timedelta(0))


def _lock(attempt: QuizAttempt) -> QuizAttempt:
    """The attempt re-read under a row lock, with the rows its payload reads (not locked)."""
    return (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "lesson", "course", "user")
        .get(pk=attempt.pk)
    )


def _finish_grading(attempt: QuizAttempt, correct: int, now: datetime) -> None:
    total = attempt.max_score or 0
    attempt.score = correct
    attempt.percentage = grading.percentage(correct, total)
    attempt.passed = grading.passes(attempt.quiz, correct, total)
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now


def _submit(
    attempt: QuizAttempt,
    responses: Mapping[str, Any],
    now: datetime,
    *,
    submitted_at: datetime | None = None,
    grace: timedelta = TIME_LIMIT_GRACE,
) -> QuizAttempt:
    """Grade and store a running attempt (the caller holds its lock and checked it), submitted
    at ``submitted_at`` (``now`` unless the attempt was taken offline) and graded ``now``."""
    submitted_at = now if submitted_at is None else submitted_at
    timed_out = _timed_out(attempt, submitted_at, grace)
    if timed_out:
        responses = {}
    questions = attempt_questions(attempt)
    grade = grading.grade_quiz(attempt.quiz, questions, responses)
    if attempt.quiz.require_correct_response and not timed_out:
        wrong = [each.question_id for each in grade.questions if each.correct is False]
        if wrong:
            raise InvalidInput(
                f"answers.{wrong[0]}: each question must be answered correctly before the "
                f"quiz is submitted ({len(wrong)} not yet: {', '.join(wrong)}).",
                code=EnrollmentErrorCode.RESPONSE_INCORRECT,
                field=f"answers.{wrong[0]}",
            )
    AttemptAnswer.objects.bulk_create(
        [
            AttemptAnswer(
                school_id=attempt.school_id,
                attempt=attempt,
                question_id=each.question_id,
                position=position,
                response=responses.get(each.question_id),
                points=None if each.pending else int(bool(each.correct)),
                manual=each.pending,
            )
            for position, each in enumerate(grade.questions, start=1)
        ]
    )
    attempt.submitted_at = submitted_at
    attempt.timed_out = timed_out
    attempt.max_score = grade.total
    if grade.final:
        _finish_grading(attempt, grade.correct, now)
    else:
        attempt.status = AttemptStatus.AWAITING_GRADING
    attempt.save()
    emit(attempt.school, "quiz.attempt.submitted", attempt_payload(attempt))
    if attempt.status == AttemptStatus.GRADED:
        _graded(attempt)
    return attempt


@transaction.atomic
def quiz_attempt_submit(
    *, attempt: QuizAttempt, answers: Mapping[str, Any], now: datetime | None = None
) -> QuizAttempt:
    """Submit ``answers`` (question id → response, as the grading service reads them) and
    grade what can be graded now. Raises 409 ``attempt_already_submitted`` the second time,
    400 ``question_not_in_attempt`` for a question the attempt did not give, and 400
    ``quiz_response_incorrect`` (nothing stored) when the quiz requires correct responses
    and one is wrong. Past the deadline and its grace the answers are discarded (timed out)."""
    now = timezone.now() if now is None else now
    attempt = _lock(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(
            "This attempt was already submitted.",
            code=EnrollmentErrorCode.ATTEMPT_ALREADY_SUBMITTED,
        )
    given = set(attempt.question_ids)
    unknown = sorted(set(answers) - given)
    if unknown:
        raise InvalidInput(
            f"answers.{unknown[0]}: this attempt did not give that question.",
            code=EnrollmentErrorCode.QUESTION_NOT_IN_ATTEMPT,
            field=f"answers.{unknown[0]}",
        )
    return _submit(attempt, answers, now)


@transaction.atomic
def quiz_attempt_grade(
    *,
    attempt: QuizAttempt,
    grades: list[AnswerGrade],
    grader: User | None = None,
    now: datetime | None = None,
) -> QuizAttempt:
    """A person grades answers of a submitted attempt: ``points`` (0 to the answer's
    ``max_points``) on answers that wait for a person, ``feedback`` on any. When no answer
    waits any more the attempt is graded (score, pass or fail, the lesson's result) and
    ``quiz.attempt.graded`` is sent, again on every later change of points. Raises 409
    ``attempt_not_submitted`` on a running attempt; 400 naming the answer otherwise."""
    now = timezone.now() if now is None else now
    attempt = _lock(attempt)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise Conflict(
            "This attempt has not been submitted yet.",
            code=EnrollmentErrorCode.ATTEMPT_NOT_SUBMITTED,
        )
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    changed: list[AttemptAnswer] = []
    points_changed = False
    for grade in grades:
        answer = answers.get(grade.question_id)
        field = f"answers.{grade.question_id}"
        if answer is None:
            raise InvalidInput(
                f"{field}: this attempt did not give that question.",
                code=EnrollmentErrorCode.QUESTION_NOT_IN_ATTEMPT,
                field=field,
            )
        if grade.points is not None:
            if not answer.manual:
                raise InvalidInput(
                    f"{field}: this answer was graded automatically; only its feedback may change.",
                    code=EnrollmentErrorCode.ANSWER_NOT_MANUAL,
                    field=field,
                )
            if not 0 <= grade.points <= answer.max_points:
                raise InvalidInput(
                    f"{field}: points must be between 0 and {answer.max_points}.",
                    code=EnrollmentErrorCode.POINTS_OUT_OF_RANGE,
                    field=field,
                )
            points_changed = points_changed or answer.points != grade.points
            answer.points = grade.points
        if grade.feedback is not None:
            answer.feedback = grade.feedback
        answer.graded_by, answer.graded_at, answer.updated_at = grader, now, now
        changed.append(answer)
    if changed:
        AttemptAnswer.objects.bulk_update(
            changed, ["points", "feedback", "graded_by", "graded_at", "updated_at"]
        )
    waiting = any(answer.points is None for answer in answers.values())
    if not waiting and (points_changed or attempt.status != AttemptStatus.GRADED):
        _finish_grading(attempt, sum(answer.points for answer in answers.values()), now)
        attempt.save()
        _graded(attempt)
    return attempt


def _graded(attempt: QuizAttempt) -> None:
    emit(attempt.school, "quiz.attempt.graded", attempt_payload(attempt))
    lesson_result_record(attempt=attempt)


def _later_attempt(attempt: QuizAttempt, *, status: str | None = None) -> bool:
    """Whether another attempt of the person in the lesson was submitted at or after this one
    (with ``status``: one in that state)."""
    later = QuizAttempt.objects.filter(
        user_id=attempt.user_id,
        lesson_id=attempt.lesson_id,
        submitted_at__gte=attempt.submitted_at,
    ).exclude(pk=attempt.pk)
    if status is not None:
        later = later.filter(status=status)
    return later.exists()


def quiz_attempt_superseded(*, attempt: QuizAttempt) -> bool:
    """Whether a later attempt of the person in the lesson (by submission time) was already
    submitted: its result, not this one's, stays on the lesson (see lesson_result_record)."""
    return _later_attempt(attempt)


def lesson_result_record(*, attempt: QuizAttempt) -> LessonProgress:
    """Write a graded attempt's result on the person's progress in its QUIZ lesson through
    the progress service (score, max_score and success_status, and, when it passed, the
    lesson completed once, which may complete the course and emits its events). A failed
    attempt never undoes a pass. The quiz's own rules decided: the learner gates are not
    applied again. An attempt submitted before (or when) another already graded one of the
    person's in the lesson was (an attempt taken offline and synced late, or graded by a
    person late) leaves that later result in place, unless it passed where the lesson has
    no pass yet: the lesson shows what it would had the attempts been graded in order."""
    progress_rows_ensure(user=attempt.user, course=attempt.course)
    current = LessonProgress.objects.get(user=attempt.user, lesson=attempt.lesson)
    passed = current.success_status == SuccessStatus.PASSED
    if passed and not attempt.passed:
        return current
    if (passed or not attempt.passed) and _later_attempt(attempt, status=AttemptStatus.GRADED):
        return current
    fields: dict = {
        "score": attempt.score,
        "max_score": attempt.max_score,
        "success_status": success_status(attempt),
    }
    if attempt.passed:
        fields["finished_at"] = current.finished_at or attempt.submitted_at
        fields["completed_at"] = current.completed_at or attempt.graded_at
    return lesson_progress_record(user=attempt.user, lesson=attempt.lesson, gated=False, **fields)
