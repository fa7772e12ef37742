"""One-time login tokens: handed out when a domain user is created, exchanged once at sign-in.

A token is a random secret of which only the SHA-256 is stored (``LoginToken``), bound to
one account of one school. It works once: the exchange spends it in a single conditional
UPDATE, so a second exchange — later, or at the same instant — finds it spent; signing in
with one also spends every other unspent token of the account. It expires after
``LOGIN_TOKEN_TTL``, and one dated after the moment of exchange is refused.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import LoginToken, Member
from apps.schools.tokens import check_member_usable

LOGIN_TOKEN_TTL = timedelta(seconds=getattr(settings, "LYCEUM_LOGIN_TOKEN_TTL", 24 * 3600))
PREFIX = "lt_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _invalid() -> InvalidInput:
    return InvalidInput(
        "The login token is invalid, expired or already used.",
        code=SchoolErrorCode.LOGIN_TOKEN_INVALID,
        field="login_token",
    )


def login_token_make(*, member: Member) -> str:
    """A fresh token that signs ``member`` in once (exchange with ``login_token_exchange``)."""
    token = PREFIX + secrets.token_urlsafe(32)
    LoginToken.objects.create(
        school_id=member.school_id,
        member=member,
        token_hash=_hash(token),
        expires_at=timezone.now() + LOGIN_TOKEN_TTL,
    )
    return token


@transaction.atomic
def login_token_exchange(*, token: str) -> Member:
    """The member a valid token names; the token is spent. 400 ``login_token_invalid`` else.

    A suspended member gets 403 and a deactivated or anonymized account 401, as at
    ``auth/token``; the token then stays unspent (the refusal rolls the exchange back).
    """
    if not token or not token.startswith(PREFIX):
        raise _invalid()
    now = timezone.now()
    login_token = (
        LoginToken.objects.select_related("member__user", "member__school__live_school")
        .filter(token_hash=_hash(token))
        .first()
    )
    if login_token is None:
        raise _invalid()
    spent = LoginToken.objects.filter(
        pk=login_token.pk, used_at__isnull=True, expires_at__gt=now, created_at__lte=now
    ).update(used_at=now)
    if not spent:
        raise _invalid()
    LoginToken.objects.filter(member_id=login_token.member_id, used_at__isnull=True).update(
        used_at=now
    )
    member = login_token.member
    check_member_usable(member)
    member.user.last_login = now
    member.user.save(update_fields=["last_login"])
    return member
