"""Admin for user roles and segments; saves go through services."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin
from apps.core.errors import ApiError
from apps.schools.admin.base import SchoolFormMixin, SchoolRowForm
from apps.schools.models import Segment, UserRole
from apps.schools.selectors import segments as segments_selectors
from apps.schools.services import roles
from apps.schools.services import segments as segments_services


@admin.register(UserRole)
class UserRoleAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """User roles: the built-in four (read-only) and the school's custom ones."""

    form = SchoolRowForm
    list_display = ["title", "role", "builtin"]
    list_filter = ["builtin", "role"]
    search_fields = ["title"]
    readonly_fields = ["id", "builtin", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.builtin:
            fields += ["title", "role"]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.builtin)

    def delete_with_service(self, request: HttpRequest, obj: UserRole) -> None:
        """Holders go back to the built-in role of their access level (``user.updated``)."""
        roles.user_role_delete(user_role=obj)

    def save_model(self, request: HttpRequest, obj: UserRole, form, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in roles.USER_ROLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            current = UserRole.objects.get(pk=obj.pk)
            roles.user_role_update(user_role=current, **changed)
            return
        role = roles.user_role_create(school=self._school_for(request, obj), **data)
        obj.pk, obj.school = role.pk, role.school


class SegmentForm(SchoolRowForm):
    def clean_filters(self) -> dict:
        try:
            return segments_services.segment_filters_clean(self.cleaned_data.get("filters"))
        except ApiError as exc:
            raise forms.ValidationError(str(exc.detail)) from None


@admin.register(Segment)
class SegmentAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Saved filters over the school's users (keys: see the README)."""

    form = SegmentForm
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "members_now", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Segment, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("name", "description", "filters")}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            segments_services.segment_update(segment=Segment.objects.get(pk=obj.pk), **changed)
            return
        segment = segments_services.segment_create(school=self._school_for(request, obj), **data)
        obj.pk, obj.school = segment.pk, segment.school

    def delete_with_service(self, request: HttpRequest, obj: Segment) -> None:
        segments_services.segment_delete(segment=obj)

    @admin.display(description="Users in the segment now")
    def members_now(self, segment: Segment) -> int:
        if segment.pk is None:
            return 0
        return segments_selectors.segment_members(segment=segment).count()
