"""Admin for access code pools and their codes; saves go through services."""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.schools.admin.base import SchoolFormMixin, deleted_rows
from apps.schools.models import AccessCode, AccessCodePool
from apps.schools.services import access_codes


class AccessCodeInline(SchoolScopedInline, admin.TabularInline):
    model = AccessCode
    fk_name = "access_code_pool"
    fields = ["code", "active", "max_uses", "use_count", "duration", "duration_unit"]
    readonly_fields = ["use_count"]
    extra = 1


@admin.register(AccessCodePool)
class AccessCodePoolAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Pools of access codes; codes are edited inline and saved through the services."""

    list_display = ["name", "domain", "active", "start_date", "end_date", "code_count"]
    list_filter = ["active", "domain"]
    search_fields = ["name", "domain__name"]
    list_select_related = ["domain", "school"]
    autocomplete_fields = ["domain"]
    readonly_fields = ["id", "channel", "created_at", "updated_at"]
    inlines = [AccessCodeInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_code_count=Count("codes"))

    @admin.display(description="Codes", ordering="_code_count")
    def code_count(self, pool: AccessCodePool) -> int:
        return pool._code_count

    def save_model(self, request: HttpRequest, obj: AccessCodePool, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in access_codes.POOL_FIELDS}
        if change:
            access_codes.pool_update(pool=obj, **data)
            return
        pool = access_codes.pool_create(
            domain=form.cleaned_data["domain"], channel=AccessCodePool.Channel.ADMIN, **data
        )
        obj.pk, obj.school = pool.pk, pool.school

    def delete_with_service(self, request: HttpRequest, obj: AccessCodePool) -> None:
        """Its codes go too; people they admitted keep their access."""
        access_codes.pool_delete(pool=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AccessCode:
            return super().save_formset(request, form, formset, change)
        pool = AccessCodePool.objects.get(pk=form.instance.pk)
        for obj in deleted_rows(formset):
            access_codes.code_delete(access_code=obj)
        for code_form in formset.forms:
            if not code_form.has_changed() or code_form in formset.deleted_forms:
                continue
            data = {
                name: code_form.cleaned_data.get(name)
                for name in access_codes.CODE_FIELDS
                if name in code_form.cleaned_data
            }
            if code_form.instance._state.adding:
                access_codes.code_create(pool=pool, **data)
            else:
                access_codes.code_update(access_code=code_form.instance, **data)


@admin.register(AccessCode)
class AccessCodeAdmin(SchoolScopedAdmin):
    """Find a code and who used it; codes are added in their pool."""

    list_display = ["code", "access_code_pool", "domain", "active", "use_count", "max_uses"]
    list_filter = ["active", "domain"]
    search_fields = ["code", "access_code_pool__name"]
    list_select_related = ["access_code_pool", "domain", "school"]
    readonly_fields = ["id", "domain", "access_code_pool", "use_count", "redeemed_by"]
    fields = [
        "id",
        "domain",
        "access_code_pool",
        "code",
        "active",
        "max_uses",
        "use_count",
        "duration",
        "duration_unit",
        "redeemed_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: AccessCode) -> None:
        """People the code admitted keep their access."""
        access_codes.code_delete(access_code=obj)

    @admin.display(description="Used by")
    def redeemed_by(self, code: AccessCode) -> str:
        emails = code.redemptions.select_related("member__user").values_list(
            "member__user__email", flat=True
        )
        return ", ".join(emails) or "nobody yet"

    def save_model(self, request: HttpRequest, obj: AccessCode, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        access_codes.code_update(access_code=AccessCode.objects.get(pk=obj.pk), **fields)
