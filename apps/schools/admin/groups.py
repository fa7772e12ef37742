"""Admin for groups, their members, pools and categories; saves go through services."""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.schools.admin.base import SchoolFormMixin, SchoolRowForm, deleted_rows
from apps.schools.models import Group, GroupAccessCodePool, GroupCategory, GroupMembership
from apps.schools.services import groups


@admin.register(GroupCategory)
class GroupCategoryAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Group categories; saved through ``group_category_create``/``group_category_update``."""

    form = SchoolRowForm
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: GroupCategory, form, change: bool) -> None:
        name = form.cleaned_data["name"]
        if change:
            current = GroupCategory.objects.get(pk=obj.pk)
            groups.group_category_update(category=current, name=name)
            return
        category = groups.group_category_create(school=self._school_for(request, obj), name=name)
        obj.pk, obj.school = category.pk, category.school

    def delete_with_service(self, request: HttpRequest, obj: GroupCategory) -> None:
        """Its groups stay, uncategorised."""
        groups.group_category_delete(category=obj)


class GroupMembershipInline(SchoolScopedInline, admin.TabularInline):
    model = GroupMembership
    fields = ["member", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["member"]
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members"


class GroupAccessCodePoolInline(SchoolScopedInline, admin.TabularInline):
    model = GroupAccessCodePool
    fields = ["access_code_pool"]
    autocomplete_fields = ["access_code_pool"]
    extra = 0
    verbose_name = "access code pool (its redeemers join the group)"
    verbose_name_plural = "access code pools"


@admin.register(Group)
class GroupAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Groups; members are added with autocomplete and saved through ``group_member_add``."""

    form = SchoolRowForm
    list_display = ["name", "category", "discount_percent", "members_count", "rule_enforce"]
    list_filter = ["rule_enforce", "category"]
    search_fields = ["name"]
    list_select_related = ["category", "school"]
    autocomplete_fields = ["category", "rule_options"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "name",
        "category",
        "discount_percent",
        "rule_enforce",
        "rule_require_match_all",
        "rule_options",
        "created_at",
        "updated_at",
    ]
    inlines = [GroupMembershipInline, GroupAccessCodePoolInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="Members", ordering="_members")
    def members_count(self, group: Group) -> int:
        return group._members

    def save_model(self, request: HttpRequest, obj: Group, form, change: bool) -> None:
        # Rule options go through the service too (not ``form.save_m2m``), so they are checked
        # and a changed enforced rule is applied to the members it now matches.
        data = {name: form.cleaned_data.get(name) for name in groups.GROUP_FIELDS}
        options = list(form.cleaned_data.get("rule_options") or [])
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            current = Group.objects.select_related("school").get(pk=obj.pk)
            if "rule_options" in form.changed_data:
                changed["rule_options"] = options
            groups.group_update(group=current, **changed)
            return
        group = groups.group_create(
            school=self._school_for(request, obj), rule_options=options, **data
        )
        obj.pk, obj.school = group.pk, group.school

    def delete_with_service(self, request: HttpRequest, obj: Group) -> None:
        """Members leave first (``group.member.removed`` each)."""
        groups.group_delete(group=Group.objects.select_related("school").get(pk=obj.pk))

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        group = Group.objects.select_related("school").get(pk=form.instance.pk)
        if formset.model is GroupMembership:
            for obj in deleted_rows(formset):
                groups.group_member_remove(membership=obj)
            for row in formset.forms:
                member = row.cleaned_data.get("member") if row.is_valid() else None
                if row.instance._state.adding and member and row not in formset.deleted_forms:
                    groups.group_member_add(group=group, member=member)
            return
        if formset.model is GroupAccessCodePool:
            for obj in deleted_rows(formset):
                groups.group_pool_remove(link=obj)
            for row in formset.forms:
                pool = row.cleaned_data.get("access_code_pool") if row.is_valid() else None
                if row.instance._state.adding and pool and row not in formset.deleted_forms:
                    groups.group_pool_add(group=group, pool=pool)
            return
        super().save_formset(request, form, formset, change)
