"""``domains/{domain_name}/users/{user_id}/invites``, with Coursepath's mail overrides."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import LabelField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.schools.api.nested import UserSummarySerializer, domain_parent, domain_user_parent
from apps.schools.models import Invite
from apps.schools.selectors import invites as invites_selectors
from apps.schools.services import invites as invites_services

MAIL_LIMITS = {"subject": 255, "body": 10_000, "action": 100}


class InviteSerializer(ModelSerializer):
    """An invitation: ``pending`` until accepted or past ``expires_at``."""

    user = UserSummarySerializer(source="domain_user.member", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = [
            "id",
            "user",
            "send_email",
            "status",
            "sent_at",
            "expires_at",
            "accepted_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_status(self, invite: Invite) -> str:
        if invite.accepted_at:
            return "accepted"
        return "pending" if invite.is_usable else "expired"


class MailSerializer(Serializer):
    subject = LabelField(max_length=MAIL_LIMITS["subject"], required=False)
    body = serializers.CharField(
        max_length=MAIL_LIMITS["body"], required=False, help_text="Plain text; replaces the text."
    )
    action = LabelField(
        max_length=MAIL_LIMITS["action"], required=False, help_text="The button's label."
    )


class InviteCreateSerializer(Serializer):
    """``send_email`` (default true) and overrides as ``mail: {...}`` or ``mail[subject]`` …"""

    send_email = serializers.BooleanField(default=True)
    mail = MailSerializer(required=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        for name, limit in MAIL_LIMITS.items():
            field_class = serializers.CharField if name == "body" else LabelField
            fields[f"mail[{name}]"] = field_class(
                max_length=limit, required=False, help_text=f"Same as mail.{name}."
            )
        return fields

    def validate(self, attrs: dict) -> dict:
        mail = dict(attrs.get("mail") or {})
        for name in MAIL_LIMITS:
            if f"mail[{name}]" in attrs:
                mail[name] = attrs[f"mail[{name}]"]
        return {
            "send_email": attrs["send_email"],
            "mail_subject": mail.get("subject", ""),
            "mail_body": mail.get("body", ""),
            "mail_action": mail.get("action", ""),
        }


@extend_schema_view(
    list=extend_schema(summary="List a user's invites to a domain"),
    retrieve=extend_schema(summary="Get an invite"),
    create=extend_schema(
        summary="Invite a domain user (e-mails an activation link unless send_email is false)",
        request=InviteCreateSerializer,
        responses={201: InviteSerializer},
    ),
)
class InviteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Invitations of one domain user; the user must already be on the domain."""

    domain = domain_parent()
    domain_user = domain_user_parent()

    queryset = Invite.objects.all()
    serializer_class = InviteSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "invite_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return invites_selectors.invite_list(domain_user=self.domain_user, queryset=queryset)

    def create(self, request, domain_name: str | None = None, user_id: str | None = None):
        domain_user = self.domain_user
        serializer = InviteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = invites_services.invite_create(
            domain_user=domain_user, **serializer.validated_data
        )
        invite = invites_selectors.invite_list(domain_user=domain_user).get(pk=invite.pk)
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)
