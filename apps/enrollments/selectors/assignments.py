"""Reads of assignment submissions: the rows the API and the admin show, and whether a
signed file link still names a submission's current file."""

from typing import Any

from django.db.models import QuerySet

from apps.catalog.signed_files import download_url
from apps.core.times import format_datetime
from apps.enrollments.models import AssignmentSubmission

# The kind signed download links name a submission's file by.
DOWNLOAD_KIND = "assignment_submission"


def submission_queryset(
    queryset: QuerySet[AssignmentSubmission],
) -> QuerySet[AssignmentSubmission]:
    """Submissions with what their API shape reads: one statement for a page of them."""
    return queryset.select_related("user")


def submission_file_current(row_id: str, name: str) -> bool:
    """Whether ``name`` is still the stored file of submission ``row_id`` (a replaced
    file's link stops working)."""
    return bool(name) and AssignmentSubmission.objects.filter(id=row_id, file=name).exists()


def submission_file_link(submission: AssignmentSubmission) -> str | None:
    """A signed link to the submission's file, valid for the catalog's link lifetime."""
    return download_url(kind=DOWNLOAD_KIND, row_id=submission.id, name=submission.file)


def submissions_read(submissions: list[AssignmentSubmission]) -> list[dict[str, Any]]:
    """The API shape of each submission (loaded through ``submission_queryset``)."""
    return [
        {
            "id": submission.id,
            "lesson_id": submission.lesson_id,
            "course_id": submission.course_id,
            "user": {
                "id": submission.user.id,
                "email": submission.user.email,
                "first_name": submission.user.first_name,
                "last_name": submission.user.last_name,
            },
            "text": submission.text,
            "file": {
                "name": submission.file_name,
                "content_type": submission.content_type,
                "size_bytes": submission.size_bytes,
                "download_url": submission_file_link(submission),
            }
            if submission.file
            else None,
            "submitted_at": format_datetime(submission.submitted_at),
            "late": submission.late,
            "state": submission.state,
            "grade": submission.grade,
            "score": submission.score,
            "feedback": submission.feedback,
            "graded_by_id": submission.graded_by_id,
            "graded_at": format_datetime(submission.graded_at),
            "created_at": format_datetime(submission.created_at),
            "updated_at": format_datetime(submission.updated_at),
        }
        for submission in submissions
    ]
