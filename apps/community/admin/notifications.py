"""Admin of notifications: read-only (the community writes them; people mark them read)."""

from django.contrib import admin

from apps.community.models import Notification
from apps.core.admin import ReadOnlyAdminMixin, SchoolScopedAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = ["id", "user", "kind", "object_id", "is_read", "created_at"]
    list_filter = ["kind", "is_read"]
    list_select_related = ["user"]
    search_fields = ["id", "kind", "object_id"]
    readonly_fields = [
        "id",
        "user",
        "kind",
        "object_id",
        "text",
        "is_read",
        "read_at",
        "created_at",
    ]
    fields = readonly_fields
