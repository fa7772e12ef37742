"""Shared pieces of the schools admin: school-aware forms and inline bookkeeping."""

from django import forms
from django.http import HttpRequest

from apps.core.admin import admin_school
from apps.schools.models import School


class UniqueInSchoolForm(forms.ModelForm):
    """Refuses a value of ``unique_field`` that another row of the school already has."""

    unique_field = "name"
    admin_school = None  # set per request by ``SchoolFormMixin.get_form``

    def clean(self) -> dict:
        data = super().clean()
        value = data.get(self.unique_field)
        school = self.admin_school or data.get("school") or getattr(self.instance, "school", None)
        if value and school is not None:
            clash = type(self.instance).objects.filter(
                school=school, **{f"{self.unique_field}__iexact": value}
            )
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(self.unique_field, f"This school already has {value!r}.")
        return data


class SchoolFormMixin:
    """Gives the admin's form the staff member's school (for checks in ``clean``)."""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.admin_school = admin_school(request)
        return form

    def _school_for(self, request: HttpRequest, obj) -> School:
        return admin_school(request) or obj.school


def deleted_rows(formset) -> list:
    """The saved rows an inline formset marks for deletion (also recorded on the formset for
    the admin's change message, as ``formset.save()`` would)."""
    formset.new_objects, formset.changed_objects = [], []
    formset.deleted_objects = [
        form.instance for form in formset.deleted_forms if form.instance.pk is not None
    ]
    return formset.deleted_objects
