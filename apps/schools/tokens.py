"""User JWTs (simplejwt): issue, rotate and verify, bound to one school account.

Tokens carry ``sub`` (the account's user id), ``school`` and ``member`` ids and ``gen``,
the account's token generation; revoking all tokens bumps the generation so every earlier
access token fails at once, and refresh tokens are blacklisted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.core.errors import ApiError, InvalidInput
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import Member
from apps.schools.selectors.accounts import PLATFORM, accounts_for_password


class InvalidCredentials(ApiError):
    status_code = 401
    default_detail = "E-mail or password is wrong."
    default_code = SchoolErrorCode.INVALID_CREDENTIALS


class InvalidToken(ApiError, exceptions.AuthenticationFailed):
    status_code = 401
    default_detail = "The token is invalid, expired or revoked."
    default_code = SchoolErrorCode.TOKEN_INVALID


class Suspended(ApiError):
    status_code = 403
    default_detail = "This user is suspended in this school."
    default_code = SchoolErrorCode.USER_SUSPENDED


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def check_member_usable(member: Member) -> None:
    """401 for a deactivated or anonymized user or school, 403 for a suspended member."""
    if not member.user.is_active or member.user.anonymized_at is not None:
        raise InvalidCredentials()
    live_school = member.school.live_school or member.school  # a sandbox lives with its school
    if not member.school.is_active or not live_school.is_active:
        raise InvalidCredentials()
    if member.status != Member.Status.ACTIVE:
        raise Suspended()


def member_for_login(*, email: str, password: str, school: str | None) -> Member:
    """Check e-mail and password against school accounts and pick the one to act as.

    With ``school`` (a slug) only that school's account is checked; without it, the live
    schools' accounts whose password matches decide (``accounts_for_password``): one
    signs in, several are 400 ``school_required``. A wrong password, an unknown e-mail
    and an unknown school are the same 401.
    """
    if school == PLATFORM:
        school = None  # operators have no school and no API sign-in
    matching = accounts_for_password(email=email, password=password, school=school)
    if not matching:
        raise InvalidCredentials()
    if len(matching) > 1:
        raise InvalidInput(
            "This e-mail and password open accounts in several schools; give the school's slug.",
            code=SchoolErrorCode.SCHOOL_REQUIRED,
            field="school",
        )
    member = Member.objects.select_related("school__live_school", "user").get(user=matching[0])
    check_member_usable(member)
    return member


def tokens_issue(*, member: Member) -> TokenPair:
    """Issue a new access + refresh pair acting as ``member``."""
    refresh = RefreshToken.for_user(member.user)
    refresh["school"] = member.school_id
    refresh["member"] = member.id
    refresh["gen"] = member.user.token_generation
    access = refresh.access_token
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(lifetime.total_seconds()),
    )


def member_from_claims(token) -> Member:
    """The live membership a verified token acts as; 401/403 when it no longer may."""
    member = (
        Member.objects.select_related("user", "school__live_school")
        .filter(id=token.get("member"), user_id=token.get("sub"), school_id=token.get("school"))
        .first()
    )
    if member is None or member.user.token_generation != token.get("gen"):
        raise InvalidToken()
    try:
        check_member_usable(member)
    except InvalidCredentials:  # deactivated user or school: the token is dead, not the login
        raise InvalidToken() from None
    return member


def tokens_refresh(*, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    try:
        refresh = RefreshToken(refresh_token)
    except TokenError:
        raise InvalidToken() from None
    member = member_from_claims(refresh)
    outstanding = OutstandingToken.objects.filter(jti=refresh["jti"]).first()
    if outstanding is None:
        raise InvalidToken()
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:  # used by a concurrent refresh a moment ago
        raise InvalidToken() from None
    return tokens_issue(member=member)


def access_token_member(raw: str) -> Member:
    """Verify an access token and return the membership it acts as."""
    try:
        token = AccessToken(raw)
    except TokenError:
        raise InvalidToken() from None
    return member_from_claims(token)


def token_subject(raw: str) -> str | None:
    """The user id a well-signed token names (for per-user rate limits), else None."""
    try:
        return RefreshToken(raw).get("sub")
    except TokenError:
        return None
