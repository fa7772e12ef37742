"""Assignment submissions in the admin: the grading queue (waiting submissions first, oldest
first) with the text and a link to the file, graded with feedback through the service."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from apps.core.admin import SchoolScopedAdmin
from apps.enrollments.models import AssignmentSubmission, SubmissionState
from apps.enrollments.selectors.assignments import submission_file_link
from apps.enrollments.services import assignments as submission_services

GRADING_FIELDS = ["grade", "score", "feedback"]


@admin.register(AssignmentSubmission)
class AssignmentSubmissionAdmin(SchoolScopedAdmin):
    """Submissions are handed in through the API; here staff read and grade them (once)."""

    list_display = ["id", "user", "lesson", "state", "grade", "submitted_at", "late"]
    list_filter = ["state", "grade", "late"]
    search_fields = ["id", "user__email", "lesson__title"]
    list_select_related = ["user", "lesson"]
    # The queue first: waiting submissions (SUBMITTED sorts after GRADED), oldest first.
    ordering = ["-state", "submitted_at", "id"]
    fields = [
        "id",
        "user",
        "lesson",
        "course",
        "submitted_at",
        "late",
        "text",
        "file_link",
        "state",
        *GRADING_FIELDS,
        "graded_by",
        "graded_at",
    ]
    _always_read_only = [name for name in fields if name not in GRADING_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None or obj.state == SubmissionState.GRADED:
            return list(self.fields)
        return self._always_read_only

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "grade" in form.base_fields:
            form.base_fields["grade"].required = True
            form.base_fields["score"].help_text = "0 to 100, optional."
            form.base_fields["score"].max_value = 100
        return form

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    @admin.display(description="File")
    def file_link(self, submission: AssignmentSubmission) -> str:
        if not submission.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({}, {} bytes)',
            submission_file_link(submission),
            submission.file_name or "file",
            submission.content_type,
            submission.size_bytes,
        )

    def save_model(
        self, request: HttpRequest, obj: AssignmentSubmission, form, change: bool
    ) -> None:
        """Grade through the service (a graded submission shows no form to save)."""
        data = form.cleaned_data
        if "grade" not in data:
            return
        submission_services.assignment_grade(
            submission=AssignmentSubmission.objects.get(pk=obj.pk),
            grade=data["grade"],
            score=data.get("score"),
            feedback=data.get("feedback") or "",
            grader=request.user,
        )
