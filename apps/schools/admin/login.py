"""The admin's sign-in form: e-mail and password, plus the school when they open several."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from apps.core.email_identity import email_key
from apps.core.throttling import login_attempt_allowed


class SchoolAdminAuthenticationForm(AdminAuthenticationForm):
    """Staff of two schools have two staff accounts; the ``school`` field appears only
    when the e-mail and password fit accounts in several schools, listing just those
    (the backend leaves them on the request). Attempts are limited like
    ``POST /api/v1/auth/token``: per account and address, and per address.
    """

    school = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "school_required": "This e-mail and password open accounts in several schools: "
        "choose the school.",
        "rate_limited": "Too many sign-in attempts; wait a minute and try again.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        school = self.cleaned_data.get("school") or None
        if username is None or not password:
            return self.cleaned_data
        if not login_attempt_allowed(self.request, account=f"{school or ''}/{email_key(username)}"):
            raise ValidationError(self.error_messages["rate_limited"], code="rate_limited")
        self.user_cache = authenticate(
            self.request, username=username, password=password, school=school
        )
        if self.user_cache is None:
            choices = getattr(self.request, "lyceum_login_choices", None)
            if choices:
                self.fields["school"].widget = forms.Select(choices=choices)
                raise ValidationError(
                    self.error_messages["school_required"], code="school_required"
                )
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
