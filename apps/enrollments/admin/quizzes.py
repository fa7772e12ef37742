"""Quiz attempts in the admin: the manual-grading queue (filter "Awaiting grading") and an
attempt's answers, whose points and feedback staff set through the grading service."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import strip_tags

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.enrollments.models import AttemptAnswer, QuizAttempt
from apps.enrollments.services import quizzes as quiz_services


class AttemptAnswerInline(SchoolScopedInline, admin.TabularInline):
    """The attempt's answers in the order it gave them; points and feedback are editable."""

    model = AttemptAnswer
    fields = ["position", "question_text", "response", "manual", "points", "feedback"]
    readonly_fields = ["position", "question_text", "response", "manual"]
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Question")
    def question_text(self, answer: AttemptAnswer) -> str:
        return strip_tags(answer.question.html)[:120]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(SchoolScopedAdmin):
    """Attempts are made through the API; here staff read them and grade waiting answers."""

    list_display = ["id", "user", "quiz", "lesson", "number", "status", "score", "submitted_at"]
    list_filter = ["status", "passed", "timed_out"]
    search_fields = ["id", "user__email", "quiz__name"]
    list_select_related = ["user", "quiz", "lesson"]
    ordering = ["-submitted_at", "-id"]
    fields = [
        "id",
        "user",
        "quiz",
        "lesson",
        "course",
        "number",
        "status",
        "started_at",
        "deadline_at",
        "submitted_at",
        "graded_at",
        "timed_out",
        "score",
        "max_score",
        "percentage",
        "passed",
    ]
    readonly_fields = fields
    inlines = [AttemptAnswerInline]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: QuizAttempt, form, change: bool) -> None:
        """Nothing of the attempt itself changes here (every field is read-only)."""

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """The changed answers' points and feedback, graded through the service."""
        grades = [
            quiz_services.AnswerGrade(
                question_id=answer.question_id,
                points=answer.points if "points" in answer_form.changed_data else None,
                feedback=answer.feedback if "feedback" in answer_form.changed_data else None,
            )
            for answer_form in formset.forms
            if answer_form.has_changed()
            for answer in [answer_form.instance]
        ]
        # What the change message and history record (Django's own save would set them).
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [
            (answer_form.instance, answer_form.changed_data)
            for answer_form in formset.forms
            if answer_form.has_changed()
        ]
        if grades:
            quiz_services.quiz_attempt_grade(
                attempt=form.instance, grades=grades, grader=request.user
            )
