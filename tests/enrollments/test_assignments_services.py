"""The assignment services on their own: what a file is judged to be, and the lesson's
result after grading."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.catalog.models import LessonType
from apps.core.errors import ApiError
from apps.enrollments.models import LessonProgress
from apps.enrollments.services.assignments import (
    assignment_grade,
    assignment_submit,
    submission_file_check,
)
from apps.enrollments.services.enrollments import enrollment_create
from apps.enrollments.services.progress import lesson_progress_record
from tests.factories import DomainFactory, LessonFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "content")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.zip", _zip("a.txt"), "application/zip"),
        (
            "essay.docx",
            _zip("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.md", "Résumé – ok\n".encode(), "text/plain"),
        # A multi-byte character cut at the end of the sniffed bytes is still text.
        ("long.txt", "é".encode() * 40_000, "text/plain"),
    ],
)
def test_accepted_files_are_typed_by_their_bytes(name, content, expected):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    assert submission_file_check(upload) == expected


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x00\x01\x02binary", "file_type_refused"),
        (b"\xff\xfe\xfa not utf-8", "file_type_refused"),
        (b"", "submission_empty"),
    ],
)
def test_refused_files_name_the_file_field(content, code):
    upload = SimpleUploadedFile("x.bin", content)

    with pytest.raises(ApiError) as refused:
        submission_file_check(upload)

    assert refused.value.code == code
    assert refused.value.field == "file"


@pytest.fixture
def assignment(school):
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    return published, LessonFactory(
        school=school, course=published.course, type=LessonType.ASSIGNMENT
    )


def test_a_failed_grade_never_undoes_an_earlier_pass(school, learner, assignment):
    # given the lesson was already passed (e.g. marked by staff through progress)
    published, lesson = assignment
    enrollment_create(published_course=published, user=learner.user)
    submission, _ = assignment_submit(lesson=lesson, user=learner.user, text="Plan.")
    lesson_progress_record(
        user=learner.user, lesson=lesson, success_status="PASSED", completed_at=None, gated=False
    )

    # when
    assignment_grade(submission=submission, grade="FAILED")

    # then
    progress = LessonProgress.objects.get(user=learner.user, lesson=lesson)
    assert progress.success_status == "PASSED"


def test_submitting_to_a_lesson_that_is_not_an_assignment_is_refused(school, learner):
    lesson = LessonFactory(school=school, type=LessonType.HTML)

    with pytest.raises(ApiError) as refused:
        assignment_submit(lesson=lesson, user=learner.user, text="x")

    assert refused.value.code == "lesson_not_assignment"
