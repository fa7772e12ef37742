"""Admin of plans (their courses inline) and plan enrollments. Staff make plans here (the
API only reads them); every save goes through the plan services, so a course added to a
plan with people is granted to them (a job), and enrolling someone in a plan enrolls them in
its courses with ``plan.enrollment.created``. Choices are the staff's own school's rows
(``SchoolScopedAdmin``). Plans have no Delete: people hold enrollments in them and an offer
sells them; a plan is taken off sale through its offer's ``registration_open``."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from apps.commerce.models import Plan, PlanCourse, PlanEnrollment
from apps.commerce.services import plans as plan_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.enrollments.admin.enrollments import ExpiryFilter, _enrollment_form, _EnrollmentAdmin


class _SlugOptionalForm(forms.ModelForm):
    """The service makes the slug from the title when it is left empty."""

    slug = forms.SlugField(max_length=100, required=False)


class PlanCourseFormSet(forms.BaseInlineFormSet):
    def validate_unique(self) -> None:
        """Only a course twice is a clash; positions may repeat (ties keep their order)."""
        courses = [
            form.cleaned_data.get("course")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(courses) != len(set(courses)):
            raise forms.ValidationError("A course is in a plan once.")


class PlanCourseInline(SchoolScopedInline, admin.TabularInline):
    model = PlanCourse
    formset = PlanCourseFormSet
    fields = ["order", "course"]
    ordering = ["order"]
    extra = 1
    verbose_name = "course"
    verbose_name_plural = "courses it grants, in order"


@admin.register(Plan)
class PlanAdmin(SchoolScopedAdmin):
    """Plans on the school's domains, with the courses they grant."""

    form = _SlugOptionalForm
    list_display = ["title", "domain", "slug", "course_count", "updated_at"]
    list_filter = ["domain"]
    list_select_related = ["domain"]
    search_fields = ["id", "title", "slug"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "domain", "title", "slug", "created_at", "updated_at"]
    inlines = [PlanCourseInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(courses_count=Count("plan_courses"))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "domain"] if obj is not None else fields

    @admin.display(description="courses", ordering="courses_count")
    def course_count(self, obj: Plan) -> int:
        return obj.courses_count

    def save_model(self, request: HttpRequest, obj: Plan, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in ("title", "slug") if name in data}
        if change:
            plan_services.plan_update(plan=obj, **fields)
            return
        plan = plan_services.plan_create(domain=data["domain"], **fields)
        obj.pk, obj.school = plan.pk, plan.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Courses are added, moved and removed by the plan services (an added course is
        granted to the plan's people); a refusal undoes the whole save and shows on the
        form."""
        plan = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item_form in formset.deleted_forms:
            if not item_form.instance._state.adding:
                plan_services.plan_course_remove(plan_course=item_form.instance)
                formset.deleted_objects.append(item_form.instance)
        for item_form in formset.forms:
            if item_form in formset.deleted_forms or not item_form.has_changed():
                continue
            data = item_form.cleaned_data
            item = item_form.instance
            if item._state.adding:
                formset.new_objects.append(
                    plan_services.plan_course_add(
                        plan=plan, course=data["course"], order=data.get("order")
                    )
                )
                continue
            if "course" in item_form.changed_data:  # another course in its place
                plan_services.plan_course_remove(plan_course=item)
                plan_services.plan_course_add(
                    plan=plan, course=data["course"], order=data.get("order")
                )
            elif "order" in item_form.changed_data:
                plan_services.plan_course_update(plan_course=item, order=data["order"])


@admin.register(PlanEnrollment)
class PlanEnrollmentAdmin(_EnrollmentAdmin):
    """Plan enrollments; adding one enrolls the person in each of the plan's courses
    (``plan_enrollment_create``); afterwards only ``active`` and ``expires_at`` change, and
    the course enrollments it granted follow (``plan_enrollment_update``)."""

    publication = "plan"
    form = _enrollment_form(PlanEnrollment, publication)
    locked_fields = ()
    change_fields = ("plan", "source", "enrolled_at", "expires_at", "active")
    create_service = staticmethod(plan_services.plan_enrollment_create)
    update_service = staticmethod(plan_services.plan_enrollment_update)

    list_display = ["user", "plan", "enrolled_at", "expires_at", "active", "source"]
    list_filter = ["active", ExpiryFilter, "source", "plan__domain"]
    list_select_related = ["user", "plan"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "plan__title"]
