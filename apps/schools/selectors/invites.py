"""Reads of invitations: a domain user's invites, and the invite a link's signed token names.

The link's token is the invite id signed with Django's ``TimestampSigner`` (salted for
invites), so nothing secret is stored. It expires after ``LYCEUM_INVITE_DAYS`` (7) days."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet

from apps.core.errors import ApiError
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import DomainUser, Invite

SALT = "lyceum.schools.invite"


class InviteInvalid(ApiError):
    """The link is unknown, expired or already used."""

    status_code = 410
    default_detail = "This invitation link is invalid, expired or already used."
    default_code = SchoolErrorCode.INVITE_INVALID


def invite_lifetime() -> timedelta:
    return timedelta(days=settings.LYCEUM_INVITE_DAYS)


def invite_list(*, domain_user: DomainUser, queryset: QuerySet | None = None) -> QuerySet:
    """A domain user's invites, oldest first."""
    queryset = Invite.objects.all() if queryset is None else queryset
    return (
        queryset.filter(domain_user=domain_user)
        .select_related("domain_user__member__user")
        .order_by("id")
    )


def invite_token(invite: Invite) -> str:
    """The signed token of an invite's activation link."""
    return signing.TimestampSigner(salt=SALT).sign(invite.id)


def invite_activation_url(invite: Invite) -> str:
    return f"{settings.LYCEUM_PUBLIC_URL}/invites/{invite_token(invite)}"


def invite_for_token(token: str) -> Invite:
    """The usable invite a token names; ``InviteInvalid`` (410) otherwise."""
    try:
        invite_id = signing.TimestampSigner(salt=SALT).unsign(token, max_age=invite_lifetime())
    except signing.BadSignature:  # also SignatureExpired
        raise InviteInvalid() from None
    invite = (
        Invite.objects.select_related("domain_user__member__user", "domain", "school")
        .filter(id=invite_id)
        .first()
    )
    if invite is None or not invite.is_usable:
        raise InviteInvalid()
    return invite
