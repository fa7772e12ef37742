"""Admin of cohorts, with their members inline.

Saves go through the cohort services: a new cohort gets its space as through the API, and
adding a member in the inline enrolls them in the course when needed, adds them to the
cohort's space and emits ``cohort.member.added``; removing one takes them out of the space.
The course and person choices are the staff's own school's; the course is fixed once the
cohort exists.
"""

from django.contrib import admin
from django.http import HttpRequest

from apps.community.models import Cohort, CohortMember
from apps.community.services import cohorts as cohort_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.schools.admin.base import deleted_rows


class CohortMemberInline(SchoolScopedInline, admin.TabularInline):
    model = CohortMember
    fk_name = "cohort"
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members (enrolled in the course when needed, added to the space)"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A membership has nothing to change: people are added or removed.
        return self.has_view_permission(request, obj)


@admin.register(Cohort)
class CohortAdmin(SchoolScopedAdmin):
    """Cohorts; saved through ``cohort_create``/``cohort_update``."""

    list_display = ["name", "course", "start_date", "space", "created_at"]
    list_filter = ["course"]
    list_select_related = ["course", "space"]
    search_fields = ["id", "name"]
    readonly_fields = ["id", "space", "created_at", "updated_at"]
    fields = ["id", "name", "course", "start_date", "space", "created_at", "updated_at"]
    inlines = [CohortMemberInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Cohort | None = None) -> list[str]:
        fixed = ["course"] if obj is not None else []
        return [*self.readonly_fields, *fixed]

    def save_model(self, request: HttpRequest, obj: Cohort, form, change: bool) -> None:
        data = {
            name: form.cleaned_data.get(name)
            for name in cohort_services.COHORT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            current = Cohort.objects.select_related("school").get(pk=obj.pk)
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            cohort_services.cohort_update(cohort=current, **changed)
            return
        cohort = cohort_services.cohort_create(
            school=admin_school(request) or form.cleaned_data["course"].school, **data
        )
        obj.pk, obj.school, obj.space = cohort.pk, cohort.school, cohort.space

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not CohortMember:
            super().save_formset(request, form, formset, change)
            return
        cohort = Cohort.objects.select_related("school").get(pk=form.instance.pk)
        users = [
            row.cleaned_data["user"]
            for row in formset.forms
            if row.is_valid()
            and row not in formset.deleted_forms
            and row.instance._state.adding
            and row.cleaned_data.get("user")
        ]
        # Read the new rows first: a removed row's instance loses its key, and validating
        # its form again afterwards would fail.
        for membership in deleted_rows(formset):
            cohort_services.cohort_member_remove(membership=membership)
        if users:
            cohort_services.cohort_members_add(cohort=cohort, users=users)
