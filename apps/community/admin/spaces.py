"""Admin of collections and spaces, with a space's members inline.

Saves go through the community services: adding a member in the inline adds or invites them
as the API does (``community.member.added``, invitation notice and e-mail), and the person
choices are the staff's own school's. A space deleted while holding content stays here,
filterable as deleted, and the "Restore" action brings it back.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.community.models import Collection, Space, SpaceMember
from apps.community.services import members as member_services
from apps.community.services import spaces as space_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.schools.admin.base import deleted_rows


@admin.register(Collection)
class CollectionAdmin(SchoolScopedAdmin):
    """Collections of spaces; saved through ``collection_create``/``collection_update``."""

    list_display = ["title", "created_at"]
    search_fields = ["id", "title"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "title", "description", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Collection, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in space_services.COLLECTION_FIELDS}
        if change:
            current = Collection.objects.get(pk=obj.pk)
            space_services.collection_update(collection=current, **data)
            return
        collection = space_services.collection_create(
            school=admin_school(request) or form.cleaned_data.get("school"), **data
        )
        obj.pk, obj.school = collection.pk, collection.school


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Deleted (restorable)"), ("no", "Live")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class SpaceMemberInline(SchoolScopedInline, admin.TabularInline):
    model = SpaceMember
    fk_name = "space"
    fields = ["user", "role", "status", "joined_at"]
    readonly_fields = ["status", "joined_at"]
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members (added, or invited when the space requires invitations)"


@admin.register(Space)
class SpaceAdmin(SchoolScopedAdmin):
    """Spaces, deleted ones included (filter "deleted", action "Restore")."""

    list_display = [
        "title",
        "collection",
        "visibility",
        "is_invitation_required",
        "course",
        "deleted_at",
    ]
    list_filter = [DeletedFilter, "visibility", "is_invitation_required", "collection"]
    list_select_related = ["collection", "course"]
    search_fields = ["id", "title"]
    readonly_fields = ["id", "deleted_at", "created_at", "updated_at"]
    fields = [
        "id",
        "title",
        "description",
        "collection",
        "visibility",
        "is_invitation_required",
        "course",
        "deleted_at",
        "created_at",
        "updated_at",
    ]
    inlines = [SpaceMemberInline]
    actions = ["restore"]

    def save_model(self, request: HttpRequest, obj: Space, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in space_services.SPACE_FIELDS}
        if change:
            current = Space.objects.select_related("school").get(pk=obj.pk)
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            space_services.space_update(space=current, **changed)
            return
        space = space_services.space_create(
            school=admin_school(request) or form.cleaned_data.get("school"), **data
        )
        obj.pk, obj.school = space.pk, space.school

    def delete_with_service(self, request: HttpRequest, obj: Space) -> None:
        """Removed when empty, soft-deleted (restorable) when it holds content."""
        if not space_services.space_delete(space=obj):
            messages.info(request, f"{obj} holds content: it was kept as deleted (restorable).")

    @admin.action(description="Restore the selected deleted spaces")
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        restored = 0
        for space in queryset.filter(deleted_at__isnull=False):
            space_services.space_restore(space=space)
            restored += 1
        messages.success(request, f"Restored {restored} space(s).")

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not SpaceMember:
            super().save_formset(request, form, formset, change)
            return
        space = Space.objects.select_related("school").get(pk=form.instance.pk)
        for membership in deleted_rows(formset):
            member_services.space_member_remove(membership=membership)
        inviter = request.user if request.user.school_id == space.school_id else None
        for row in formset.forms:
            if not row.is_valid() or row in formset.deleted_forms:
                continue
            data = row.cleaned_data
            if row.instance._state.adding:
                if data.get("user"):
                    added = member_services.space_members_add(
                        space=space, users=[data["user"]], invited_by=inviter
                    )
                    for membership in added:
                        member_services.space_member_update(
                            membership=membership, role=data.get("role")
                        )
            elif "role" in row.changed_data:
                member_services.space_member_update(membership=row.instance, role=data["role"])
