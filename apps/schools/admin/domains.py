"""Admin for domains and domain users, with a streamed CSV export; saves go through services."""

import csv

from django.contrib import admin, messages
from django.http import HttpRequest, StreamingHttpResponse

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.schools.admin.base import deleted_rows
from apps.schools.models import Domain, DomainUser
from apps.schools.selectors.domains import with_active_now
from apps.schools.services import domains, invites


class _Echo:
    """A file-like object whose ``write`` returns the line (for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


DOMAIN_USER_CSV_COLUMNS = [
    "domain",
    "user_id",
    "email",
    "first_name",
    "last_name",
    "active",
    "enrolled_at",
    "expires_at",
    "access_code",
    "access_code_pool",
]


def domain_users_csv(queryset, filename: str) -> StreamingHttpResponse:
    """Stream domain users as CSV (``csv`` module), in batches, whatever their number."""
    rows = (
        with_active_now(queryset)
        .select_related("domain", "member__user", "access_code__access_code_pool")
        .order_by("domain__name", "id")
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(DOMAIN_USER_CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            user = row.member.user
            code = row.access_code
            yield writer.writerow(
                [
                    row.domain.name,
                    user.id,
                    user.email,
                    user.first_name,
                    user.last_name,
                    "true" if row.active_now else "false",
                    row.enrolled_at.isoformat(),
                    row.expires_at.isoformat() if row.expires_at else "",
                    code.code if code else "",
                    code.access_code_pool.name if code else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DomainUserInline(SchoolScopedInline, admin.TabularInline):
    """The latest people on the domain (all of them under Domain users). An access record
    is never deleted (as in the API): clearing ``active`` takes the access away."""

    model = DomainUser
    fk_name = "domain"
    fields = ["member", "active", "expires_at", "access_code", "enrolled_at"]
    readonly_fields = ["access_code", "enrolled_at"]
    autocomplete_fields = ["member"]
    extra = 0
    can_delete = False
    show_change_link = True
    LATEST = 100

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).select_related("member__user", "access_code")
        latest = list(queryset.order_by("-id").values_list("id", flat=True)[: self.LATEST])
        return queryset.filter(id__in=latest)


def _save_domain_user_formset(request: HttpRequest, formset, domain: Domain) -> None:
    """New inline rows go through ``domain_user_add``, changes through ``domain_user_update``
    (a refusal undoes the whole save and is shown on the form)."""
    deleted_rows(formset)  # none (the inline cannot delete); records the change message
    for form in formset.forms:
        if not form.has_changed() or not form.is_valid():
            continue
        data = form.cleaned_data
        if form.instance.pk is None or form.instance._state.adding:
            domains.domain_user_add(
                domain=domain,
                member=data["member"],
                active=data.get("active", True),
                expires_at=data.get("expires_at"),
            )
        else:
            fields = {name: data[name] for name in ("active", "expires_at") if name in data}
            current = DomainUser.objects.select_related("school").get(pk=form.instance.pk)
            domains.domain_user_update(domain_user=current, **fields)


@admin.register(Domain)
class DomainAdmin(SchoolScopedAdmin):
    """Domains with their latest users inline and a CSV export of all of them."""

    list_display = ["name", "access", "created_at"]
    list_filter = ["access"]
    search_fields = ["name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [DomainUserInline]
    actions = ["export_users_csv"]

    def save_model(self, request: HttpRequest, obj: Domain, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in domains.DOMAIN_FIELDS if name in data}
        if change:
            current = Domain.objects.select_related("school").get(pk=obj.pk)
            domains.domain_update(domain=current, name=data["name"], **fields)
            return
        school = admin_school(request) or data.get("school")
        domain = domains.domain_create(school=school, name=data["name"], **fields)
        obj.pk, obj.school = domain.pk, domain.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not DomainUser:
            return super().save_formset(request, form, formset, change)
        domain = Domain.objects.select_related("school").get(pk=form.instance.pk)
        _save_domain_user_formset(request, formset, domain)

    @admin.action(description="Export the users of the selected domains (CSV)")
    def export_users_csv(self, request: HttpRequest, queryset) -> StreamingHttpResponse:
        users = DomainUser.objects.filter(domain__in=queryset)
        return domain_users_csv(users, "domain-users.csv")


@admin.register(DomainUser)
class DomainUserAdmin(SchoolScopedAdmin):
    """People with access to a domain; saves go through the domain-user services."""

    list_display = ["email", "domain", "active", "expires_at", "access_code", "enrolled_at"]
    list_filter = ["active", "domain"]
    search_fields = ["member__user__email", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user", "domain", "access_code", "school"]
    autocomplete_fields = ["member", "domain"]
    readonly_fields = ["id", "access_code", "enrolled_at", "created_at", "updated_at"]
    fields = [
        "id",
        "domain",
        "member",
        "active",
        "marketing_optin",
        "expires_at",
        "access_code",
        "enrolled_at",
        "created_at",
        "updated_at",
    ]
    actions = ["send_invite", "export_csv"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["domain", "member"]
        return fields

    @admin.display(description="E-mail", ordering="member__user__email")
    def email(self, domain_user: DomainUser) -> str:
        return domain_user.member.user.email

    def save_model(self, request: HttpRequest, obj: DomainUser, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {
                name: data[name]
                for name in ("active", "expires_at", "marketing_optin")
                if name in form.changed_data
            }
            current = DomainUser.objects.select_related("school").get(pk=obj.pk)
            domains.domain_user_update(domain_user=current, **fields)
            return
        created, _ = domains.domain_user_add(
            domain=data["domain"],
            member=data["member"],
            active=data.get("active", True),
            marketing_optin=data.get("marketing_optin"),
            expires_at=data.get("expires_at"),
        )
        obj.pk, obj.school, obj.user_id = created.pk, created.school, created.user_id

    @admin.action(description="Send an invite to the selected users")
    def send_invite(self, request: HttpRequest, queryset) -> None:
        count = 0
        for domain_user in queryset.select_related("school", "domain", "member__user"):
            invites.invite_create(domain_user=domain_user, send_email=True)
            count += 1
        messages.success(request, f"Invited {count} user(s); the e-mails are on their way.")

    @admin.action(description="Export the selected users (CSV)")
    def export_csv(self, request: HttpRequest, queryset) -> StreamingHttpResponse:
        return domain_users_csv(queryset, "domain-users.csv")
