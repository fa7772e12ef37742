"""Admin for invites: a read-only log (new invites are sent from Domain users)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import SchoolScopedAdmin
from apps.schools.models import Invite


@admin.register(Invite)
class InviteAdmin(SchoolScopedAdmin):
    """Invitations sent to domain users (send new ones from Domain users)."""

    list_display = ["id", "email", "domain", "sent_at", "expires_at", "accepted_at"]
    list_filter = ["domain"]
    search_fields = ["domain_user__member__user__email"]
    list_select_related = ["domain_user__member__user", "domain", "school"]
    readonly_fields = [
        "id",
        "domain_user",
        "domain",
        "send_email",
        "mail_subject",
        "mail_body",
        "mail_action",
        "sent_at",
        "expires_at",
        "accepted_at",
        "created_at",
    ]
    exclude = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="E-mail")
    def email(self, invite: Invite) -> str:
        return invite.domain_user.member.user.email
