"""Invitations to a domain."""

from django.db import models
from django.utils import timezone

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models.access import DomainUser
from apps.schools.models.people import Domain, User


class Invite(SchoolOwnedModel):
    """An invitation to a domain; its link lets the person set a password, once."""

    id = PrefixedIdField(prefix="inv", primary_key=True)
    domain_user = models.ForeignKey(DomainUser, on_delete=models.CASCADE, related_name="invites")
    # The domain user's domain and user, kept here so the API's
    # ``domains/{domain_name}/users/{user_id}/invites`` resolves directly.
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    send_email = models.BooleanField(default=True)
    mail_subject = models.CharField(max_length=255, blank=True)
    mail_body = models.TextField(blank=True)
    mail_action = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
