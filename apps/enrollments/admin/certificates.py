"""Admin of certificates: each course's template, and the certificates issued, with revoke
and reissue actions; every write goes through the certificate services."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin
from apps.enrollments.models import Certificate, CertificateTemplate
from apps.enrollments.services import certificates as certificate_services

TEMPLATE_FIELDS = ["course", "title", "body", "signature_name"]


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(SchoolScopedAdmin):
    """One template per course; saved through ``certificate_template_save``."""

    fields = TEMPLATE_FIELDS
    list_display = ["title", "course", "signature_name", "updated_at"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course", "school"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "course"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        template = certificate_services.certificate_template_save(
            course=obj.course,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            signature_name=form.cleaned_data.get("signature_name") or "",
        )
        obj.pk, obj.school = template.pk, template.school


class CertificateIssueForm(forms.ModelForm):
    """Issue a certificate by hand: the person and the course (its template says the rest)."""

    class Meta:
        model = Certificate
        fields = ["user", "course"]

    def validate_constraints(self) -> None:
        # The service answers an existing valid certificate instead of refusing a second.
        return None


@admin.register(Certificate)
class CertificateAdmin(SchoolScopedAdmin):
    """Certificates: issue (add), revoke and reissue (actions); nothing is edited by hand."""

    list_display = ["credential_id", "user_name", "course_title", "issued_at", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["credential_id", "user_name", "course_title", "user__email"]
    list_select_related = ["school"]
    raw_id_fields = ["user", "course"]
    date_hierarchy = "issued_at"
    actions = ["revoke_selected", "reissue_selected"]
    readonly_on_change = [
        "id",
        "credential_id",
        "user",
        "course",
        "user_name",
        "course_title",
        "title",
        "body",
        "signature_name",
        "issued_at",
        "revoked_at",
        "revoke_reason",
        "replaced_by",
    ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CertificateIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        return ["user", "course"] if obj is None else self.readonly_on_change

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, *self.readonly_on_change]

    @admin.display(description="Status")
    def status(self, certificate: Certificate) -> str:
        return "valid" if certificate.revoked_at is None else "revoked"

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        """Adding issues through ``certificate_issue``; an issued certificate changes only
        through the revoke and reissue actions."""
        if change:
            return
        certificate, created = certificate_services.certificate_issue(
            user=form.cleaned_data["user"], course=form.cleaned_data["course"]
        )
        if not created:
            messages.info(request, "This person already holds a valid certificate of the course.")
        obj.pk, obj.school = certificate.pk, certificate.school

    @admin.action(description="Revoke the selected certificates")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for certificate in queryset:
            certificate_services.certificate_revoke(
                certificate=certificate, reason=f"Revoked by {request.user.email}"
            )
        messages.success(request, f"Revoked {len(queryset)} certificate(s).")

    @admin.action(description="Reissue the selected certificates")
    def reissue_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for certificate in queryset:
            certificate_services.certificate_reissue(certificate=certificate)
        messages.success(request, f"Reissued {len(queryset)} certificate(s).")
