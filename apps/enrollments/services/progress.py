"""Writes of progress: the rows every enrolled person has, lesson results, and completion.

Every writer takes the same locks in the same order: the person's course progress row, then
their lesson progress rows, then (when a course completes) their path enrollments. Deciding
completion while holding the course progress lock is what makes concurrent completions of a
course's last lessons complete it exactly once; locking the path enrollments before looking
at the path's other courses makes two courses of a path completing at once complete the
path once, and never zero times.

Learners' reports (``lesson_progress_record`` with ``gated=True``, the default) must respect
the course: an active enrollment, drip schedules, sequential navigation. Administrative
marks (``course_progress_update``, ``course_progress_complete``, ``gated=False``) override
them.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Course, Lesson, LessonType, PathItem
from apps.core.errors import Conflict, InvalidInput
from apps.core.events import emit, emit_many
from apps.core.models import Event
from apps.core.prepared import prepared_cursor
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    LessonProgress,
    PathEnrollment,
    ProgressToken,
    SuccessStatus,
)
from apps.enrollments.selectors import progress as progress_selectors
from apps.enrollments.selectors.enrollments import has_course_access
from apps.schools.models import Domain, DomainUser, Member, User


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# A field left out of a partial update (None is a value: it clears the field).
UNSET: Any = _Unset()


class SupersededWrite(Exception):
    """An offline write older than (or as old as) the last one applied to the lesson."""


@functools.cache
def _progress_missing_statement(with_access: bool) -> str:
    """The SQL of ``progress_missing``, written once per process from the models' tables
    (compiling it through the ORM on every call cost more than running it). Rows: ``''``
    when the course progress row exists, ``'@'`` when the access record exists
    (``with_access``), then the ids of lessons without a progress row."""
    quote = connection.ops.quote_name
    course_progress = quote(CourseProgress._meta.db_table)
    domain_user = quote(DomainUser._meta.db_table)
    lesson = quote(Lesson._meta.db_table)
    lesson_progress = quote(LessonProgress._meta.db_table)
    access = (
        f"SELECT '@' FROM {domain_user} WHERE domain_id = %s AND member_id = %s UNION ALL "
        if with_access
        else ""
    )
    return (
        f"SELECT '' FROM {course_progress} WHERE user_id = %s AND course_id = %s "
        f"UNION ALL {access}"
        f"SELECT l.id FROM {lesson} l WHERE l.course_id = %s AND l.type <> %s "
        f"AND NOT EXISTS (SELECT 1 FROM {lesson_progress} p "
        f"WHERE p.lesson_id = l.id AND p.user_id = %s)"
    )


@dataclass(frozen=True)
class ProgressMissing:
    """What a person lacks in a course: their course progress row, progress rows of these
    lessons and, when asked, their access record on the publication's domain."""

    course_row: bool
    lesson_ids: list[str]
    access_record: bool = False


def progress_missing(
    *, user: User, course: Course, access: tuple[Domain, Member] | None = None
) -> ProgressMissing:
    """What ``user`` lacks in ``course`` (lessons that are section headings need no row)
    and, given ``access`` (a domain and the person's membership), whether their access
    record there is missing: one statement."""
    params: list[Any] = [user.pk, course.pk]
    if access is not None:
        params += [access[0].pk, access[1].pk]
    params += [course.pk, LessonType.SECTION, user.pk]
    with prepared_cursor(connection) as cursor:
        cursor.execute(_progress_missing_statement(access is not None), params)
        found = [row[0] for row in cursor.fetchall()]
    return ProgressMissing(
        course_row="" not in found,
        lesson_ids=[lesson_id for lesson_id in found if lesson_id not in ("", "@")],
        access_record=access is not None and "@" not in found,
    )


def progress_rows_ensure(
    *, user: User, course: Course, missing: ProgressMissing | None = None
) -> None:
    """Make the person's course progress, a lesson progress for every lesson that is not a
    section heading, and a progress token for each, where missing. Idempotent and safe under
    concurrent calls (each write skips rows that exist, so no transaction is needed); one
    statement when nothing is missing, none when the caller read ``missing`` already."""
    if missing is None:
        missing = progress_missing(user=user, course=course)
    if missing.course_row:
        CourseProgress.objects.bulk_create(
            [CourseProgress(school_id=course.school_id, user=user, course=course)],
            ignore_conflicts=True,
        )
    if missing.lesson_ids:
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(
                    school_id=course.school_id, user=user, course=course, lesson_id=lesson_id
                )
                for lesson_id in missing.lesson_ids
            ],
            ignore_conflicts=True,
        )
        untokened = LessonProgress.objects.filter(
            user=user, course=course, token__isnull=True
        ).values_list("id", flat=True)
        ProgressToken.objects.bulk_create(
            [
                ProgressToken(school_id=course.school_id, lesson_progress_id=progress_id)
                for progress_id in untokened
            ],
            ignore_conflicts=True,
        )


def lesson_progress_follow_lesson(event: Event) -> None:
    """Events subscriber: a lesson moved to another course (``lesson.updated``) takes its
    progress rows along, so course summaries, which read a course's rows through their
    ``course_id``, count them in the course the lesson is in now. The lesson's course is
    read again, not taken from the event: events may arrive late or twice."""
    if event.type != "lesson.updated":
        return
    lesson_id = (event.payload or {}).get("id") if isinstance(event.payload, dict) else None
    course_id = (
        Lesson.objects.filter(pk=lesson_id, school_id=event.school_id)
        .values_list("course_id", flat=True)
        .first()
    )
    if course_id is not None:
        LessonProgress.objects.filter(lesson_id=lesson_id).exclude(course_id=course_id).update(
            course_id=course_id, updated_at=timezone.now()
        )


# --- payloads --------------------------------------------------------------------------------


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def lesson_completed_payload(progress: LessonProgress, lesson: Lesson) -> dict[str, Any]:
    """The data of ``lesson.completed``."""
    token = ProgressToken.objects.filter(lesson_progress=progress).values_list("id", flat=True)
    return {
        "id": progress.id,
        "progress_token_id": token.first(),
        "user": _user_ref(progress.user),
        "course": {"id": lesson.course_id, "title": lesson.course.title},
        "lesson": {"id": lesson.id, "title": lesson.title, "type": lesson.type},
        "completed_at": format_datetime(progress.completed_at),
        "success_status": progress.success_status,
        "score": progress.score,
        "max_score": progress.max_score,
    }


def course_progress_payload(course_progress: CourseProgress) -> dict[str, Any]:
    """The data of ``enrollment.progress_updated``: the counts of the course's lessons."""
    row = progress_selectors.summary_figures(
        progress_selectors.summary_rows(CourseProgress.objects.filter(pk=course_progress.pk)).get()
    )
    return {
        "id": course_progress.id,
        "user": _user_ref(course_progress.user),
        "course": {"id": course_progress.course_id, "title": course_progress.course.title},
        "lessons_completed": row["lessons_completed"],
        "total_lessons": row["total_lessons"],
        "required_lessons": row["required_lessons"],
        "required_lessons_completed": row["required_lessons_completed"],
        "percent_complete": progress_selectors.percent(
            row["lessons_completed"], row["total_lessons"]
        ),
        "completed_at": format_datetime(course_progress.completed_at),
    }


def course_completed_payload(course_progress: CourseProgress) -> dict[str, Any]:
    """The data of ``enrollment.completed`` (stable: certificates subscribe to it)."""
    enrollment_ids = Enrollment.objects.filter(
        user_id=course_progress.user_id, course_id=course_progress.course_id
    ).order_by("id")
    return {
        "id": course_progress.id,
        "user": _user_ref(course_progress.user),
        "course": {"id": course_progress.course_id, "title": course_progress.course.title},
        "completed_at": format_datetime(course_progress.completed_at),
        "success_status": course_progress.success_status,
        "enrollment_ids": list(enrollment_ids.values_list("id", flat=True)),
    }


# --- locks and gates -------------------------------------------------------------------------


def _locked_course_progress(*, user: User, course: Course) -> CourseProgress:
    """The person's course progress, its rows made when missing, locked for this
    transaction (the first lock every progress writer takes)."""
    progress_rows_ensure(user=user, course=course)
    return (
        CourseProgress.objects.select_for_update(of=("self",))
        .select_related("user", "course")
        .get(user=user, course=course)
    )


def _require_access(user: User, course: Course) -> None:
    if not has_course_access(user=user, course=course):
        raise Conflict(
            "The user has no active, unexpired enrollment in this course.",
            code=EnrollmentErrorCode.COURSE_ACCESS_REQUIRED,
        )


def lesson_gates_check(*, user: User, lesson: Lesson, at: datetime) -> None:
    """409 when the learner may not take or complete ``lesson`` yet: the drip schedule (the lesson's
    or its section's) has not released it, or, with sequential navigation, a required lesson
    before it is not complete."""
    heading = progress_selectors.section_heading(lesson=lesson)
    if (
        lesson.drip_days_after_enrollment is not None
        or lesson.drip_release_at is not None
        or (
            heading is not None
            and (
                heading.drip_days_after_enrollment is not None
                or heading.drip_release_at is not None
            )
        )
    ):
        enrolled_at = progress_selectors.first_enrolled_at(
            user=user, course=lesson.course_id, at=at
        )
        released = progress_selectors.release_at(
            lesson=lesson, enrolled_at=enrolled_at, heading=heading
        )
        if released is not None and at < released:
            raise Conflict(
                f"This lesson is released at {format_datetime(released)}; it cannot be "
                "completed before then.",
                code=EnrollmentErrorCode.LESSON_NOT_RELEASED,
            )
    if lesson.course.enforce_sequential_navigation:
        before = progress_selectors.required_lessons_left(user=user, course=lesson.course_id)
        first = before.filter(order__lt=lesson.order).order_by("order").first()
        if first is not None:
            raise Conflict(
                f"The course is taken in order: complete {first.title!r} (lesson "
                f"{first.id}) and the required lessons before this one first.",
                code=EnrollmentErrorCode.PREVIOUS_LESSONS_INCOMPLETE,
            )


# --- lessons ---------------------------------------------------------------------------------


_RECORDED = (
    "finished_at",
    "completed_at",
    "success_status",
    "score",
    "max_score",
    "custom_data",
    "validation_status",
    "validation_data",
)


def _given(value: Any) -> bool:
    return value is not UNSET


@transaction.atomic
def lesson_progress_record(
    *,
    user: User,
    lesson: Lesson,
    completed_at: datetime | None = UNSET,
    finished_at: datetime | None = UNSET,
    success_status: str | None = UNSET,
    score: int | None = UNSET,
    max_score: int | None = UNSET,
    custom_data: str = UNSET,
    validation_status: str | None = UNSET,
    validation_data: Any = UNSET,
    time_spent_seconds_increment: int = 0,
    client_updated_at: datetime | None = None,
    gated: bool = True,
) -> LessonProgress:
    """Record what ``user`` did in ``lesson`` (only the given fields change) and complete
    the course when this completes its last required lesson.

    ``finished_at`` completes the lesson (at that time) unless the lesson requires
    validation; there a ``validation_status`` of PASSED completes it. ``completed_at`` sets
    or, with None, clears completion. ``score`` may not exceed ``max_score`` (400
    ``score_above_max_score``). ``time_spent_seconds_increment`` adds to the time spent.
    A write that changes nothing records nothing (not even an access). With
    ``client_updated_at`` (offline writes, the client's clock), SupersededWrite when a write
    as late or later is already in: the latest client time wins per lesson.
    With ``gated`` (learners' reports), completing needs an active enrollment (409
    ``course_access_required``), a released lesson (409 ``lesson_not_released``) and, under
    sequential navigation, the required lessons before it complete (409
    ``previous_lessons_incomplete``). Emits ``lesson.completed`` when the lesson becomes
    complete, ``enrollment.progress_updated`` when its completion changes, and
    ``enrollment.completed`` / ``path.completed`` on completing the course / a path.
    """
    if lesson.type == LessonType.SECTION:
        raise InvalidInput(
            "A section heading has no progress of its own.",
            code=EnrollmentErrorCode.SECTION_HAS_NO_PROGRESS,
        )
    course = lesson.course
    now = timezone.now()
    course_progress = _locked_course_progress(user=user, course=course)
    progress = LessonProgress.objects.select_for_update().get(user=user, lesson=lesson)
    if (
        client_updated_at is not None
        and progress.client_updated_at is not None
        and client_updated_at <= progress.client_updated_at
    ):
        raise SupersededWrite(progress.pk)
    was_complete = progress.completed_at is not None
    before = {name: getattr(progress, name) for name in _RECORDED}

    for name, value in (
        ("finished_at", finished_at),
        ("success_status", success_status),
        ("score", score),
        ("max_score", max_score),
        ("custom_data", custom_data),
    ):
        if _given(value):
            setattr(progress, name, value)
    # Skilljar ignores validation on a lesson that does not require it.
    if lesson.requires_validation:
        if _given(validation_status):
            progress.validation_status = validation_status
        if _given(validation_data):
            progress.validation_data = validation_data
    if (
        progress.score is not None
        and progress.max_score is not None
        and progress.score > progress.max_score
    ):
        raise InvalidInput(
            f"score ({progress.score}) may not exceed max_score ({progress.max_score}).",
            code=EnrollmentErrorCode.SCORE_ABOVE_MAX_SCORE,
            field="score",
        )

    target = progress.completed_at
    if _given(completed_at):
        target = completed_at
    elif target is None and lesson.requires_validation:
        if _given(validation_status) and validation_status == SuccessStatus.PASSED:
            target = now
    elif target is None and _given(finished_at) and finished_at is not None:
        target = finished_at
    if target is not None and not was_complete and gated:
        lesson_gates_check(user=user, lesson=lesson, at=now)
    progress.completed_at = target
    if not time_spent_seconds_increment and client_updated_at is None:
        if all(getattr(progress, name) == value for name, value in before.items()):
            return progress  # what the client read, sent back: nothing to record
    if gated:
        _require_access(user, course)

    progress.time_spent_seconds += time_spent_seconds_increment
    progress.started_at = progress.started_at or now
    progress.last_accessed_at = now
    if client_updated_at is not None:
        progress.client_updated_at = client_updated_at
    progress.save()

    course_progress.started_at = course_progress.started_at or now
    course_progress.last_accessed_at = now
    course_progress.current_lesson = lesson
    course_progress.save(
        update_fields=["started_at", "last_accessed_at", "current_lesson", "updated_at"]
    )
    now_complete = progress.completed_at is not None
    if now_complete and not was_complete:
        emit(course.school, "lesson.completed", lesson_completed_payload(progress, lesson))
    if now_complete != was_complete:
        emit(course.school, "enrollment.progress_updated", course_progress_payload(course_progress))
        if now_complete:
            _complete_when_done(course_progress, now)
    return progress


def _complete_when_done(course_progress: CourseProgress, now: datetime) -> None:
    """Complete the course (once) when no required lesson is left; the caller holds the
    course progress lock."""
    if course_progress.completed_at is not None:
        return
    left = progress_selectors.required_lessons_left(
        user=course_progress.user, course=course_progress.course_id
    )
    if left.exists():
        return
    _course_complete(course_progress, now)


def _course_complete(course_progress: CourseProgress, at: datetime) -> None:
    course_progress.completed_at = at
    course_progress.save(update_fields=["completed_at", "success_status", "updated_at"])
    emit(
        course_progress.course.school,
        "enrollment.completed",
        course_completed_payload(course_progress),
    )
    _paths_complete_when_done(course_progress, at)


def _paths_complete_when_done(course_progress: CourseProgress, at: datetime) -> None:
    """Complete the person's open enrollments in the paths holding the course when every
    course of the path is complete. Emits ``path.completed`` per path enrollment."""
    user = course_progress.user
    paths = PathItem.objects.filter(course_id=course_progress.course_id).values("path_id")
    open_enrollments = list(
        PathEnrollment.objects.select_for_update(of=("self",))
        .select_related("path")
        .filter(user=user, path_id__in=paths, completed_at__isnull=True)
        .order_by("id")
    )
    complete_paths: dict[str, bool] = {}
    for enrollment in open_enrollments:
        if enrollment.path_id not in complete_paths:
            courses = PathItem.objects.filter(path_id=enrollment.path_id).values("course_id")
            missing = (
                Course.objects.filter(pk__in=courses)
                .exclude(
                    pk__in=CourseProgress.objects.filter(
                        user=user, completed_at__isnull=False
                    ).values("course_id")
                )
                .exists()
            )
            complete_paths[enrollment.path_id] = not missing
        if not complete_paths[enrollment.path_id]:
            continue
        enrollment.completed_at = at
        enrollment.save(update_fields=["completed_at", "updated_at"])
        emit(
            course_progress.course.school,
            "path.completed",
            {
                "id": enrollment.id,
                "user": _user_ref(user),
                "path": {"id": enrollment.path_id, "title": enrollment.path.title},
                "completed_at": format_datetime(at),
            },
        )


# --- courses ---------------------------------------------------------------------------------


@transaction.atomic
def course_progress_update(
    *,
    user: User,
    course: Course,
    completed_at: datetime | None = UNSET,
    success_status: str | None = UNSET,
) -> CourseProgress:
    """Set the person's course progress as staff decide (Skilljar's ``course_progress``):
    a ``completed_at`` completes the course whatever its lessons (``enrollment.completed``
    when it was not complete), None un-completes it; ``success_status`` is recorded."""
    course_progress = _locked_course_progress(user=user, course=course)
    was_complete = course_progress.completed_at is not None
    if _given(success_status):
        course_progress.success_status = success_status
    if _given(completed_at) and completed_at is None:
        course_progress.completed_at = None
    course_progress.save(update_fields=["completed_at", "success_status", "updated_at"])
    if _given(completed_at) and completed_at is not None:
        if was_complete:
            course_progress.completed_at = completed_at
            course_progress.save(update_fields=["completed_at", "updated_at"])
        else:
            _course_complete(course_progress, completed_at)
    return course_progress


@transaction.atomic
def course_progress_complete(
    *, user: User, course: Course, lesson: Lesson | None = None
) -> CourseProgress:
    """LearnWorlds' mark as complete: one lesson (a learning activity), or the whole course
    (every lesson not complete yet is completed now, then the course). An administrative
    mark: drip schedules, sequential navigation and expired access do not hold it back."""
    if lesson is not None:
        lesson_progress_record(user=user, lesson=lesson, completed_at=timezone.now(), gated=False)
        return CourseProgress.objects.get(user=user, course=course)
    now = timezone.now()
    course_progress = _locked_course_progress(user=user, course=course)
    open_rows = list(
        LessonProgress.objects.select_for_update()
        .select_related("lesson", "user")
        .filter(user=user, lesson__course=course, completed_at__isnull=True)
        .order_by("lesson__order")
    )
    for progress in open_rows:
        progress.completed_at = now
        progress.finished_at = progress.finished_at or now
        progress.started_at = progress.started_at or now
    LessonProgress.objects.bulk_update(
        open_rows, ["completed_at", "finished_at", "started_at", "updated_at"]
    )
    if open_rows:
        for progress in open_rows:
            progress.lesson.course = course
        emit_many(
            course.school,
            "lesson.completed",
            [lesson_completed_payload(progress, progress.lesson) for progress in open_rows],
        )
        emit(course.school, "enrollment.progress_updated", course_progress_payload(course_progress))
    course_progress.started_at = course_progress.started_at or now
    course_progress.save(update_fields=["started_at", "updated_at"])
    if course_progress.completed_at is None:
        _course_complete(course_progress, now)
    return course_progress


_RESET = {
    "started_at": None,
    "finished_at": None,
    "completed_at": None,
    "success_status": None,
    "score": None,
    "max_score": None,
    "custom_data": "",
    "validation_status": None,
    "validation_data": None,
    "time_spent_seconds": 0,
    "last_accessed_at": None,
    "client_updated_at": None,
}


@transaction.atomic
def course_progress_reset(
    *, user: User, course: Course, lesson: Lesson | None = None
) -> CourseProgress:
    """LearnWorlds' reset: one lesson's progress back to nothing (the course stays complete
    if it was), or the whole course's (its completion too, for a retake). Emits
    ``enrollment.progress_updated`` when a completed lesson was reset."""
    course_progress = _locked_course_progress(user=user, course=course)
    rows = LessonProgress.objects.filter(user=user, lesson__course=course)
    if lesson is not None:
        rows = rows.filter(lesson=lesson)
    had_completed = rows.filter(completed_at__isnull=False).exists()
    rows.update(**_RESET, updated_at=timezone.now())
    if lesson is None:
        course_progress.started_at = None
        course_progress.completed_at = None
        course_progress.success_status = None
        course_progress.last_accessed_at = None
        course_progress.current_lesson = None
        course_progress.save()
    if had_completed:
        emit(course.school, "enrollment.progress_updated", course_progress_payload(course_progress))
    return course_progress
