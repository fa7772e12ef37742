"""Admin for signup fields and their options; saves go through services."""

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.schools.admin.base import deleted_rows
from apps.schools.models import SignupField, SignupFieldOption
from apps.schools.services import signup_fields


class SignupFieldOptionInline(SchoolScopedInline, admin.TabularInline):
    model = SignupFieldOption
    fields = ["label", "position"]
    extra = 1


@admin.register(SignupField)
class SignupFieldAdmin(SchoolScopedAdmin):
    """The questions a domain asks; select fields list their options inline."""

    list_display = ["label", "domain", "type", "required", "position"]
    list_filter = ["type", "domain"]
    search_fields = ["label", "domain__name"]
    list_select_related = ["domain", "school"]
    autocomplete_fields = ["domain"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [SignupFieldOptionInline]

    def save_model(self, request: HttpRequest, obj: SignupField, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in signup_fields.FIELD_FIELDS}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            current = SignupField.objects.get(pk=obj.pk)
            signup_fields.signup_field_update(signup_field=current, **changed)
            return
        field = signup_fields.signup_field_create(domain=form.cleaned_data["domain"], **data)
        obj.pk, obj.school = field.pk, field.school

    def delete_with_service(self, request: HttpRequest, obj: SignupField) -> None:
        signup_fields.signup_field_delete(signup_field=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        field = SignupField.objects.get(pk=form.instance.pk)
        for obj in deleted_rows(formset):
            signup_fields.signup_field_option_delete(option=obj)
        for row in formset.forms:
            if not row.has_changed() or row in formset.deleted_forms or not row.is_valid():
                continue
            data = {
                name: row.cleaned_data[name]
                for name in signup_fields.OPTION_FIELDS
                if name in row.cleaned_data
            }
            if row.instance._state.adding:
                signup_fields.signup_field_option_create(signup_field=field, **data)
            else:
                current = SignupFieldOption.objects.get(pk=row.instance.pk)
                signup_fields.signup_field_option_update(option=current, **data)


@admin.register(SignupFieldOption)
class SignupFieldOptionAdmin(SchoolScopedAdmin):
    """Options are edited on their field; listed here for group-rule autocomplete."""

    list_display = ["label", "field", "position"]
    search_fields = ["label", "field__label"]
    list_select_related = ["field", "school"]
    autocomplete_fields = ["field"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: SignupFieldOption) -> None:
        signup_fields.signup_field_option_delete(option=obj)
