"""Shared pieces of the schools admin: school-aware forms and inline bookkeeping."""

from django import forms
from django.http import HttpRequest

from apps.core.admin import admin_school
from apps.schools.models import School


class SchoolRowForm(forms.ModelForm):
    """The form of a row of one school whose rules within the school (a name unique in any
    letter case) are its service's: a duplicate is refused when the service saves, and the
    admin shows that refusal on the field (``ServiceAdminMixin``), for staff and operators
    alike. The form keeps no copy of the rule."""

    def _get_validation_exclusions(self) -> set[str]:
        # Django checks a unique constraint while cleaning unless one of its fields is
        # excluded. Staff forms have no school field, so it is excluded there already; an
        # operator's form has it, and Django would refuse first with its generic
        # "Constraint ... is violated" on the whole form. The school itself is validated by
        # its form field (one of the schools).
        return {*super()._get_validation_exclusions(), "school"}


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
