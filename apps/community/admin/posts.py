"""Admin of posts (comments inline, read-only) and the moderation queue of reported posts.

Every write goes through ``apps.community.services.posts``: hiding a post from the admin
notifies its author and settles its open reports as the API does; the queue's actions
hide the reported posts (with each report's reason) or dismiss the reports, notifying the
reporters. Posts and comments are what people wrote: staff do not edit them here.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.community.models import Comment, Post, PostReport
from apps.community.services import posts as post_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline
from apps.core.errors import ApiError

STAFF_REASON = "Hidden by the school's staff."


class CommentInline(SchoolScopedInline, admin.TabularInline):
    model = Comment
    fk_name = "post"
    fields = ["id", "parent", "author", "body", "is_hidden", "hidden_reason", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(SchoolScopedAdmin):
    """Posts, hidden ones included (filter "is hidden"), with hide, restore, pin and unpin."""

    list_display = ["__str__", "space", "author", "is_pinned", "is_hidden", "created_at"]
    list_filter = ["is_hidden", "is_pinned"]
    list_select_related = ["space", "author"]
    search_fields = ["id", "title"]
    readonly_fields = [
        "id",
        "space",
        "author",
        "title",
        "body",
        "tags",
        "is_pinned",
        "is_hidden",
        "hidden_reason",
        "hidden_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [CommentInline]
    actions = ["hide", "restore", "pin", "unpin"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def delete_with_service(self, request: HttpRequest, obj: Post) -> None:
        post_services.post_delete(post=obj)

    @admin.action(description="Hide the selected posts (their authors are notified)")
    def hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        for post in queryset:
            post_services.post_hide(post=post, reason=STAFF_REASON)
        messages.success(request, f"Hid {queryset.count()} post(s).")

    @admin.action(description="Restore the selected hidden posts")
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        for post in queryset:
            post_services.post_restore(post=post)
        messages.success(request, "Restored the selected post(s).")

    @admin.action(description="Pin the selected posts")
    def pin(self, request: HttpRequest, queryset: QuerySet) -> None:
        for post in queryset:
            post_services.post_pin(post=post, pinned=True)

    @admin.action(description="Unpin the selected posts")
    def unpin(self, request: HttpRequest, queryset: QuerySet) -> None:
        for post in queryset:
            post_services.post_pin(post=post, pinned=False)


@admin.register(PostReport)
class PostReportAdmin(SchoolScopedAdmin):
    """The moderation queue: open reports first; hide the post or dismiss the report."""

    list_display = ["post", "reporter", "reason", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["post", "reporter"]
    search_fields = ["id", "post__id", "reason"]
    readonly_fields = ["id", "post", "reporter", "reason", "status", "resolved_at", "created_at"]
    fields = readonly_fields
    ordering = ["status", "id"]  # "dismissed" < "hidden" < "open": the filter narrows it
    actions = ["hide_posts", "dismiss"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def _settle(self, request: HttpRequest, queryset: QuerySet, settle) -> None:
        done = 0
        for report in queryset.filter(status=PostReport.Status.OPEN):
            try:
                settle(report=report)
            except ApiError:
                continue  # settled meanwhile (hiding a post settles its other reports)
            done += 1
        messages.success(request, f"Settled {done} report(s).")

    @admin.action(description="Hide the reported posts (authors and reporters are notified)")
    def hide_posts(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._settle(request, queryset, post_services.report_hide)

    @admin.action(description="Dismiss the selected reports (the posts stay)")
    def dismiss(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._settle(request, queryset, post_services.report_dismiss)
