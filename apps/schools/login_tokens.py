"""One-time login tokens: handed out when a domain user is created, exchanged once at sign-in.

A token is ``<member id>-<timestamp>-<hmac>`` made by Django's password-reset token
generator, salted for Lyceum and bound to the membership. It stops working after
``LOGIN_TOKEN_TTL``, and after its first exchange: the exchange records the login
(``last_login``), which is part of the signed value.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils import timezone
from django.utils.http import base36_to_int

from apps.core.errors import InvalidInput
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import Member, School, User
from apps.schools.tokens import check_member_usable

LOGIN_TOKEN_TTL = timedelta(seconds=getattr(settings, "LYCEUM_LOGIN_TOKEN_TTL", 24 * 3600))


class _MemberTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "lyceum.schools.login_token"

    def __init__(self, member_id: str) -> None:
        super().__init__()
        self.member_id = member_id

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return self.member_id + super()._make_hash_value(user, timestamp)


def _invalid() -> InvalidInput:
    return InvalidInput(
        "The login token is invalid, expired or already used.",
        code=SchoolErrorCode.LOGIN_TOKEN_INVALID,
        field="login_token",
    )


def login_token_make(*, member: Member) -> str:
    """A fresh token that signs ``member`` in once (exchange with ``login_token_exchange``)."""
    return f"{member.id}-{_MemberTokenGenerator(member.id).make_token(member.user)}"


@transaction.atomic
def login_token_exchange(*, token: str, school: School | None = None) -> Member:
    """The member a valid token names; the token is spent. 400 ``login_token_invalid`` else.

    A suspended member gets 403 and a deactivated user 401, as at ``auth/token``.
    """
    member_id, _, rest = (token or "").partition("-")
    if not member_id or not rest:
        raise _invalid()
    members = Member.objects.select_related("user", "school").filter(id=member_id)
    if school is not None:
        members = members.filter(school=school)
    member = members.first()
    if member is None:
        raise _invalid()
    user = User.objects.select_for_update().get(pk=member.user_id)
    try:
        issued = base36_to_int(rest.split("-", 1)[0])
    except ValueError:
        raise _invalid() from None
    generator = _MemberTokenGenerator(member.id)
    age = generator._num_seconds(generator._now()) - issued
    if age > LOGIN_TOKEN_TTL.total_seconds() or not generator.check_token(user, rest):
        raise _invalid()
    member.user = user
    check_member_usable(member)  # suspended or deactivated people cannot sign in this way
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return member
