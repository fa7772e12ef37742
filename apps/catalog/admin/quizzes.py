"""Quizzes with their questions, questions with their answers, question banks."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, strip_tags

from apps.catalog.models import Answer, Question, QuestionBank, Quiz
from apps.catalog.services import quizzes as quiz_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school


class QuestionInline(SchoolScopedInline, admin.TabularInline):
    """The quiz's questions; each opens on its own page with its answers."""

    model = Question
    fk_name = "quiz"
    fields = ["order", "question_link", "type", "requires_manual_grading"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["order"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Question")
    def question_link(self, question: Question) -> str:
        url = reverse("admin:catalog_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, strip_tags(question.html)[:80] or "—")


@admin.register(Quiz)
class QuizAdmin(SchoolScopedAdmin):
    list_display = ["name", "passing_percentage_correct", "max_attempts", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", *quiz_services.QUIZ_FIELDS, "created_at", "updated_at"]
    inlines = [QuestionInline]

    def save_model(self, request: HttpRequest, obj: Quiz, form, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in quiz_services.QUIZ_FIELDS}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            quiz_services.quiz_update(quiz=Quiz.objects.get(pk=obj.pk), **changed)
            return
        quiz = quiz_services.quiz_create(school=admin_school(request) or obj.school, **data)
        obj.pk, obj.school = quiz.pk, quiz.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Questions are read-only here (changed on their own page)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_with_service(self, request: HttpRequest, obj: Quiz) -> None:
        """Refused while a lesson or content item shows it."""
        quiz_services.quiz_delete(quiz=obj)


class AnswerInline(SchoolScopedInline, admin.TabularInline):
    model = Answer
    fields = ["answer_text", "correct"]
    extra = 2
    ordering = ["order"]


@admin.register(Question)
class QuestionAdmin(SchoolScopedAdmin):
    """A question and its answers, saved together so the type's answer rules hold."""

    list_display = ["__str__", "type", "quiz", "question_bank", "order"]
    list_filter = ["type"]
    search_fields = ["html"]
    list_select_related = ["quiz", "question_bank"]
    autocomplete_fields = ["quiz", "question_bank"]
    readonly_fields = ["id", "order", "created_at", "updated_at"]
    fields = [
        "id",
        "quiz",
        "question_bank",
        "order",
        "type",
        "html",
        "requires_manual_grading",
        "case_sensitive",
        "correct_answer_feedback_html",
        "incorrect_answer_feedback_html",
        "created_at",
        "updated_at",
    ]
    inlines = [AnswerInline]
    written = [
        "quiz",
        "question_bank",
        "type",
        "html",
        "requires_manual_grading",
        "case_sensitive",
        "correct_answer_feedback_html",
        "incorrect_answer_feedback_html",
    ]

    def save_model(self, request: HttpRequest, obj: Question, form, change: bool) -> None:
        """Saved with its answers in ``save_related`` (the rules need both at once)."""

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Never called: ``save_related`` saves the answers with the question, through
        ``question_create``/``question_update``, so the type's rules see both at once."""
        raise NotImplementedError

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        answers_formset = next(f for f in formsets if f.model is Answer)
        answers = [
            {"answer_text": row.cleaned_data["answer_text"], "correct": row.cleaned_data["correct"]}
            for row in answers_formset.forms
            if row.cleaned_data.get("answer_text") and row not in answers_formset.deleted_forms
        ]
        answers_formset.new_objects, answers_formset.changed_objects = [], []
        answers_formset.deleted_objects = []
        data = {k: v for k, v in form.cleaned_data.items() if k in self.written}
        if change:
            question = quiz_services.question_update(
                question=Question.objects.get(pk=form.instance.pk), answers=answers, **data
            )
        else:
            question = quiz_services.question_create(
                school=admin_school(request) or form.instance.school, answers=answers, **data
            )
        form.instance.pk, form.instance.school = question.pk, question.school

    def delete_with_service(self, request: HttpRequest, obj: Question) -> None:
        quiz_services.question_delete(question=obj)


@admin.register(QuestionBank)
class QuestionBankAdmin(SchoolScopedAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "name", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: QuestionBank, form, change: bool) -> None:
        if change:
            QuestionBank.objects.filter(pk=obj.pk).update(name=form.cleaned_data["name"])
            return
        bank = quiz_services.question_bank_create(
            school=admin_school(request) or obj.school, name=form.cleaned_data["name"]
        )
        obj.pk, obj.school = bank.pk, bank.school
