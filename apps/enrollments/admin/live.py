"""Admin of live-session registrations: register an enrolled person, record attendance;
saved through the registration services (seats and course rules included)."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin
from apps.enrollments.models import ViltSessionRegistration
from apps.enrollments.services import live as live_services


class RegistrationCreateForm(forms.ModelForm):
    class Meta:
        model = ViltSessionRegistration
        fields = ["session", "enrollment"]

    def validate_constraints(self) -> None:
        # Registering twice answers the existing registration (the service decides).
        return None


@admin.register(ViltSessionRegistration)
class ViltSessionRegistrationAdmin(SchoolScopedAdmin):
    """Registrations; added through ``vilt_registration_create``, attendance through
    ``vilt_registration_update``."""

    list_display = ["id", "session", "user", "attended", "created_at"]
    list_filter = ["attended"]
    search_fields = ["id", "user__email", "session__display_name"]
    list_select_related = ["session", "user", "school"]
    raw_id_fields = ["session", "enrollment"]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        return ["session", "enrollment"] if obj is None else ["session", "user", "attended"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "session", "user"]

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change:
            current = ViltSessionRegistration.objects.get(pk=obj.pk)
            live_services.vilt_registration_update(
                registration=current, attended=form.cleaned_data["attended"]
            )
            return
        registration, _ = live_services.vilt_registration_create(
            session=form.cleaned_data["session"], enrollment=form.cleaned_data["enrollment"]
        )
        obj.pk, obj.school = registration.pk, registration.school
