"""Courses with their lessons in order, lessons with their content items, and labels."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.catalog.models import ContentItem, Course, Label, Lesson
from apps.catalog.services import courses as course_services
from apps.catalog.services import lessons as lesson_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.core.errors import ApiError


class CourseForm(forms.ModelForm):
    labels_text = forms.CharField(
        label="Labels",
        required=False,
        help_text="Comma-separated; labels are shared by the school's courses.",
    )

    class Meta:
        model = Course
        fields = [*course_services.COURSE_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            names = self.instance.labels.order_by("name").values_list("name", flat=True)
            self.fields["labels_text"].initial = ", ".join(names)

    def labels(self) -> list[str]:
        return [
            name.strip() for name in self.cleaned_data["labels_text"].split(",") if name.strip()
        ]


class LessonInline(SchoolScopedInline, admin.TabularInline):
    """The course's lessons in order; each opens on its own page (order, content, drip)."""

    model = Lesson
    fields = ["order", "lesson_link", "type", "optional", "drip"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["order"]
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Lesson")
    def lesson_link(self, lesson: Lesson) -> str:
        url = reverse("admin:catalog_lesson_change", args=[lesson.pk])
        title = f"§ {lesson.title}" if lesson.type == "SECTION" else lesson.title
        return format_html('<a href="{}">{}</a>', url, title)

    @admin.display(description="Released")
    def drip(self, lesson: Lesson) -> str:
        if lesson.drip_days_after_enrollment is not None:
            return f"{lesson.drip_days_after_enrollment} days after enrolling"
        if lesson.drip_release_at is not None:
            return f"on {lesson.drip_release_at:%Y-%m-%d %H:%M} UTC"
        return "at once"


@admin.register(Course)
class CourseAdmin(SchoolScopedAdmin):
    """Courses; the lessons below open on their own page, where they are moved."""

    form = CourseForm
    list_display = ["title", "slug", "category", "level", "created_at"]
    list_filter = ["level", "enforce_sequential_navigation"]
    search_fields = ["title", "slug", "short_description"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["instructor"]
    list_select_related = ["school"]
    fields = [
        "id",
        "title",
        "slug",
        "short_description",
        "long_description_html",
        "enforce_sequential_navigation",
        "labels_text",
        "category",
        "level",
        "instructor",
        "thumbnail_url",
        "duration_hours",
        "created_at",
        "updated_at",
    ]
    inlines = [LessonInline]

    def save_model(self, request: HttpRequest, obj: Course, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in course_services.COURSE_FIELDS}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            current = Course.objects.get(pk=obj.pk)
            labels = form.labels() if "labels_text" in form.changed_data else None
            course_services.course_update(course=current, labels=labels, **changed)
            return
        course = course_services.course_create(
            school=admin_school(request) or obj.school, labels=form.labels(), **data
        )
        obj.pk, obj.school = course.pk, course.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Lessons are read-only here (changed on their own page)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ContentItemInline(SchoolScopedInline, admin.StackedInline):
    model = ContentItem
    fields = ["order", "header", "type", "content_html", "content_asset", "content_quiz"]
    autocomplete_fields = ["content_asset", "content_quiz"]
    extra = 0
    ordering = ["order"]


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin):
    """Lessons and section headings; "Move up" / "Move down" keep positions gap-free."""

    list_display = ["title", "course", "order", "type", "optional"]
    list_filter = ["type", "optional"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course", "school"]
    autocomplete_fields = ["course", "content_asset", "content_quiz", "content_web_package"]
    readonly_fields = ["id", "created_at", "updated_at"]
    ordering = ["course", "order"]
    actions = ["move_up", "move_down"]
    fields = [
        "id",
        "course",
        "order",
        "type",
        "title",
        "content_html",
        "content_asset",
        "content_quiz",
        "content_web_package",
        "description_html",
        "tooltip_html",
        "display_fullscreen",
        "optional",
        "search_keywords",
        "time_seconds",
        "drip_days_after_enrollment",
        "drip_release_at",
        "due_at",
        "allow_late_submissions",
        "created_at",
        "updated_at",
    ]
    inlines = [ContentItemInline]

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["order"].required = False
        form.base_fields["order"].help_text = "Position in the course; empty = the end."
        return form

    def save_model(self, request: HttpRequest, obj: Lesson, form, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in self.fields and k != "id"}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            current = Lesson.objects.get(pk=obj.pk)
            lesson_services.lesson_update(lesson=current, **changed)
            return
        course = data.pop("course")
        lesson = lesson_services.lesson_create(course=course, **data)
        obj.pk, obj.school, obj.course, obj.order = lesson.pk, lesson.school, course, lesson.order

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        lesson = Lesson.objects.get(pk=form.instance.pk)
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = [f.instance for f in formset.deleted_forms if f.instance.pk]
        for item in formset.deleted_objects:
            lesson_services.content_item_delete(content_item=item)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            data = {k: v for k, v in row.cleaned_data.items() if k in ContentItemInline.fields}
            if row.instance.pk:
                changed = {k: v for k, v in data.items() if k in row.changed_data}
                lesson_services.content_item_update(content_item=row.instance, **changed)
            else:
                lesson_services.content_item_create(lesson=lesson, **data)

    def delete_with_service(self, request: HttpRequest, obj: Lesson) -> None:
        """The lessons after it move up; its content items go with it."""
        lesson_services.lesson_delete(lesson=obj)

    def _move(self, request: HttpRequest, queryset, step: int) -> None:
        for lesson in queryset.order_by("course_id", "order"):
            current = Lesson.objects.get(pk=lesson.pk)
            count = Lesson.objects.filter(course_id=current.course_id).count()
            target = current.order + step
            if 1 <= target <= count:
                try:
                    lesson_services.lesson_update(lesson=current, order=target)
                except ApiError as exc:
                    messages.error(request, f"{lesson}: {exc.detail}")

    @admin.action(description="Move up")
    def move_up(self, request: HttpRequest, queryset) -> None:
        self._move(request, queryset, -1)

    @admin.action(description="Move down")
    def move_down(self, request: HttpRequest, queryset) -> None:
        self._move(request, queryset, 1)


@admin.register(Label)
class LabelAdmin(SchoolScopedAdmin):
    """Labels courses are filed under; they are written on the course page."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "name", "created_at"]
    fields = readonly_fields
