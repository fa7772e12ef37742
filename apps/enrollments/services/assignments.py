"""Writes of assignment submissions: handing in (text and/or a checked file) and grading.

Rules (docs/enrollments.md, "Assignments"):

- only an ASSIGNMENT lesson takes submissions; a submission holds text, a file or both;
- the file is at most ``LYCEUM_ASSIGNMENT_MAX_FILE_BYTES`` and of an allowed type, judged
  by its bytes, not by the name or the declared type (``submission_file_type``);
- the person needs access to the course (an active, unexpired enrollment) and the lesson's
  drip and sequential-navigation gates (the progress service's checks);
- after the lesson's ``due_at`` only when it allows late submissions (409 otherwise);
- submitting again while the last submission waits for grading replaces it (same id);
  after a FAILED grade a new submission starts; after a PASSED one, 409;
- grading happens once (409 for a second, different grade); a PASSED grade completes the
  lesson through the progress service, a FAILED one records the failure (never undoing a
  pass).

Submitting locks the person's progress row of the lesson, so two simultaneous submissions
leave one waiting submission, never two (the partial unique constraint backs it).
"""

import codecs
import posixpath
import zipfile
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from PIL import Image, UnidentifiedImageError

from apps.catalog.models import Lesson, LessonType
from apps.catalog.services.content import catalog_storage
from apps.core.errors import ApiError, Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.ids import new_ulid
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import (
    AssignmentGrade,
    AssignmentSubmission,
    LessonProgress,
    SubmissionState,
    SuccessStatus,
)
from apps.enrollments.selectors.enrollments import has_course_access
from apps.enrollments.services.progress import (
    lesson_gates_check,
    lesson_progress_record,
    progress_rows_ensure,
)
from apps.schools.models import User

# Image formats Pillow may identify, and the content type each is stored with.
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# Zip-based office documents keep their own type when the name says so.
ZIP_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}
# Plain text is judged on its first bytes: enough to tell text from a binary format.
TEXT_SNIFF_BYTES = 64 * 1024
ALLOWED_TYPES = "PDF, PNG, JPEG, GIF or WebP images, plain text (UTF-8) or zip archives"


def _refuse_file(detail: str, code: str) -> InvalidInput:
    return InvalidInput(f"file: {detail}", code=code, field="file")


def _head(file: File, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def submission_file_type(file: File) -> str:
    """The content type ``file`` is stored with, judged by its bytes: PDF by its magic,
    images by Pillow, zip archives by their central directory, plain text by decoding as
    UTF-8 without NUL characters. 400 ``file_type_refused`` naming ``file`` otherwise."""
    head = _head(file, TEXT_SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
        if image_format in IMAGE_TYPES:
            return IMAGE_TYPES[image_format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        pass
    finally:
        file.seek(0)
    if head.startswith(b"PK") and zipfile.is_zipfile(file):
        file.seek(0)
        extension = posixpath.splitext((file.name or "").lower())[1]
        return ZIP_TYPES.get(extension, "application/zip")
    file.seek(0)
    if b"\x00" not in head:
        # A multi-byte character may be cut at the end of the sniffed bytes: an incremental
        # decoder keeps it pending instead of refusing it, unless the file ends there.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head, final=len(head) < TEXT_SNIFF_BYTES)
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    raise _refuse_file(
        f"this type of file is not accepted; send {ALLOWED_TYPES}.",
        EnrollmentErrorCode.FILE_TYPE_REFUSED,
    )


def submission_file_check(file: File) -> str:
    """The stored content type of an acceptable file; 400 naming ``file`` when it is empty
    (``submission_empty``), too large (``file_too_large``) or of a refused type."""
    limit = settings.LYCEUM_ASSIGNMENT_MAX_FILE_BYTES
    if not file.size:
        raise _refuse_file("the file is empty.", EnrollmentErrorCode.SUBMISSION_EMPTY)
    if file.size > limit:
        raise _refuse_file(
            f"the file has {file.size} bytes; at most {limit} are accepted.",
            EnrollmentErrorCode.FILE_TOO_LARGE,
        )
    return submission_file_type(file)


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def submission_payload(submission: AssignmentSubmission) -> dict[str, Any]:
    """The event data of a submission (not its text or file: those stay behind the API)."""
    return {
        "id": submission.id,
        "lesson": {"id": submission.lesson_id, "title": submission.lesson.title},
        "course": {"id": submission.course_id, "title": submission.lesson.course.title},
        "user": _user_ref(submission.user),
        "state": submission.state,
        "submitted_at": format_datetime(submission.submitted_at),
        "late": submission.late,
        "has_text": bool(submission.text),
        "file_name": submission.file_name or None,
        "size_bytes": submission.size_bytes,
        "grade": submission.grade,
        "score": submission.score,
        "graded_at": format_datetime(submission.graded_at),
    }


def _store(submission: AssignmentSubmission, file: File) -> str:
    """Save ``file`` under the submission's private prefix; the stored name."""
    original = posixpath.basename((file.name or "").replace("\\", "/"))
    try:
        safe = get_valid_filename(original)[:100]
    except SuspiciousFileOperation:  # a name like ".." has nothing valid left
        safe = ""
    # A fresh directory per hand-in: a replaced file never shares a name with its successor.
    name = f"assignments/{submission.school_id}/{submission.id}/{new_ulid()}/{safe or 'file'}"
    file.seek(0)
    return catalog_storage().save(name, file)


def _forget_file(name: str) -> None:
    """Remove a replaced file once the replacement is committed."""
    if not name:
        return

    def _delete() -> None:
        storage = catalog_storage()
        if storage.exists(name):
            storage.delete(name)

    transaction.on_commit(_delete)


@transaction.atomic
def assignment_submit(
    *,
    lesson: Lesson,
    user: User,
    text: str = "",
    file: File | None = None,
    now: datetime | None = None,
) -> tuple[AssignmentSubmission, bool]:
    """Hand in ``text`` and/or ``file`` for the ASSIGNMENT ``lesson`` as ``user``;
    ``(submission, False)`` when it replaced the submission waiting for grading. Raises 400
    (``lesson_not_assignment``, ``submission_empty``, ``file_too_large``,
    ``file_type_refused``), 403 ``course_access_required``, 409 ``lesson_not_released`` /
    ``previous_lessons_incomplete`` (the progress gates), ``assignment_past_due`` and
    ``assignment_already_passed``. Emits ``assignment.submitted``."""
    now = timezone.now() if now is None else now
    if lesson.type != LessonType.ASSIGNMENT:
        raise InvalidInput(
            "This lesson is not an assignment.", code=EnrollmentErrorCode.NOT_AN_ASSIGNMENT
        )
    text = text or ""
    if not text.strip() and file is None:
        raise InvalidInput(
            "text: hand in text, a file or both.",
            code=EnrollmentErrorCode.SUBMISSION_EMPTY,
            field="text",
        )
    content_type = submission_file_check(file) if file is not None else ""
    course = lesson.course
    if not has_course_access(user=user, course=course, at=now):
        raise ApiError(
            "This person has no access to the course of the assignment.",
            code=EnrollmentErrorCode.COURSE_ACCESS_REQUIRED,
            status_code=403,
        )
    lesson_gates_check(user=user, lesson=lesson, at=now)
    late = lesson.due_at is not None and now > lesson.due_at
    if late and not lesson.allow_late_submissions:
        raise Conflict(
            f"This assignment was due at {format_datetime(lesson.due_at)}; it does not take "
            "late submissions.",
            code=EnrollmentErrorCode.ASSIGNMENT_PAST_DUE,
        )
    progress_rows_ensure(user=user, course=course)
    # One hand-in at a time per person and lesson: what is read below stays true to commit.
    LessonProgress.objects.select_for_update().filter(user=user, lesson=lesson).get()
    mine = AssignmentSubmission.objects.filter(user=user, lesson=lesson)
    if mine.filter(grade=AssignmentGrade.PASSED).exists():
        raise Conflict(
            "This assignment was already graded as passed.",
            code=EnrollmentErrorCode.ASSIGNMENT_ALREADY_PASSED,
        )
    submission = mine.filter(state=SubmissionState.SUBMITTED).first()
    created = submission is None
    replaced_file = ""
    if created:
        submission = AssignmentSubmission(
            school_id=lesson.school_id, user=user, lesson=lesson, course=course
        )
    else:
        replaced_file = submission.file
    submission.text = text
    submission.submitted_at = now
    submission.late = late
    if file is not None:
        submission.file = _store(submission, file)
        submission.file_name = posixpath.basename((file.name or "").replace("\\", "/"))[:255]
        submission.content_type = content_type
        submission.size_bytes = file.size
    else:
        submission.file, submission.file_name, submission.content_type = "", "", ""
        submission.size_bytes = None
    with conflict_on_duplicate(
        "enr_submission_one_open",
        Conflict(
            "Another submission was handed in at the same time; read the submissions again.",
            code=EnrollmentErrorCode.SUBMISSION_CONFLICT,
        ),
    ):
        submission.save(force_insert=created)
    _forget_file(replaced_file)
    submission.lesson, submission.user = lesson, user
    emit(lesson.school, "assignment.submitted", submission_payload(submission))
    return submission, created


@transaction.atomic
def assignment_grade(
    *,
    submission: AssignmentSubmission,
    grade: str | None,
    score: int | None = None,
    feedback: str | None = None,
    grader: User | None = None,
    now: datetime | None = None,
) -> AssignmentSubmission:
    """Grade a submission waiting for grading: PASSED completes the lesson (which may
    complete the course), FAILED records the failure and lets the learner submit again.
    ``score`` is 0 to 100 (400 ``points_out_of_range``); None leaves ``score`` and
    ``feedback`` empty. What a read gave, sent back, changes nothing: no ``grade`` (and no
    score or feedback) on a waiting submission, or the grade it has on a graded one. Raises
    400 ``grade_required`` for a score or feedback without a grade, 409
    ``submission_already_graded`` for a second, different grade. Emits
    ``assignment.graded``."""
    now = timezone.now() if now is None else now
    if grade is not None and grade not in AssignmentGrade.values:
        raise InvalidInput("grade: PASSED or FAILED.", field="grade")
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(
            "score: between 0 and 100.",
            code=EnrollmentErrorCode.POINTS_OUT_OF_RANGE,
            field="score",
        )
    submission = (
        AssignmentSubmission.objects.select_for_update(of=("self",))
        .select_related("lesson__course", "user")
        .get(pk=submission.pk)
    )
    if submission.state == SubmissionState.GRADED:
        if (
            grade in (None, submission.grade)
            and score in (None, submission.score)
            and feedback in (None, submission.feedback)
        ):
            return submission
        raise Conflict(
            "This submission was already graded.",
            code=EnrollmentErrorCode.SUBMISSION_ALREADY_GRADED,
        )
    if grade is None:
        if score is not None or feedback:
            raise InvalidInput(
                "grade: PASSED or FAILED is required to grade a submission.",
                code=EnrollmentErrorCode.GRADE_REQUIRED,
                field="grade",
            )
        return submission
    submission.state = SubmissionState.GRADED
    submission.grade = grade
    submission.score = score
    submission.feedback = feedback or ""
    submission.graded_by = grader
    submission.graded_at = now
    submission.save()
    emit(submission.school, "assignment.graded", submission_payload(submission))
    _lesson_result_record(submission)
    return submission


def _lesson_result_record(submission: AssignmentSubmission) -> LessonProgress:
    """Write a graded submission's result on the person's progress in the lesson through the
    progress service (as a graded quiz attempt does): PASSED completes the lesson once;
    a FAILED grade never undoes a pass. The submission's own rules decided: the learner
    gates are not applied again."""
    progress_rows_ensure(user=submission.user, course=submission.lesson.course)
    current = LessonProgress.objects.get(user=submission.user, lesson=submission.lesson)
    passed = submission.grade == AssignmentGrade.PASSED
    if current.success_status == SuccessStatus.PASSED and not passed:
        return current
    fields: dict[str, Any] = {
        "success_status": SuccessStatus.PASSED if passed else SuccessStatus.FAILED,
        "score": submission.score,
        "max_score": None if submission.score is None else 100,
    }
    if passed:
        fields["finished_at"] = current.finished_at or submission.submitted_at
        fields["completed_at"] = current.completed_at or submission.graded_at
    return lesson_progress_record(
        user=submission.user, lesson=submission.lesson, gated=False, **fields
    )
