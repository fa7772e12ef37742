"""How API callers prove who they are: school API keys and user JWTs.

Both yield a ``Credential`` as ``request.auth`` carrying the school; the school comes
from the credential alone, never from a request parameter.
"""

import base64
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from apps.core.codes import CoreErrorCode
from apps.core.credentials import USER_TOKEN_SCOPES, Credential
from apps.schools.models import ApiKey, School
from apps.schools.selectors.schools import api_key_by_hash
from apps.schools.services.schools import school_sandbox
from apps.schools.tokens import access_token_member

# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEY_PREFIXES = (ApiKey.LIVE_PREFIX, ApiKey.TEST_PREFIX)


class ApiPrincipal:
    """``request.user`` for an API key: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key:{self.api_key.id}"


def _note_school(request, school) -> None:
    raw = getattr(request, "_request", request)
    raw.lyceum_school_slug = school.slug


def _failed(detail: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail, code=CoreErrorCode.AUTHENTICATION_FAILED)


def _key_school(api_key: ApiKey) -> School:
    """The tenant a key acts on: its school, or that school's sandbox for a test key."""
    if not api_key.is_test:
        return api_key.school
    try:
        return api_key.school.sandbox
    except School.DoesNotExist:  # a test key made before its school had a sandbox
        return school_sandbox(school=api_key.school)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer sk_...`` or HTTP Basic with the key as username."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, value = header.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme == "bearer" and value.startswith(KEY_PREFIXES):
            secret = value
        elif scheme == "basic" and value:
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except ValueError:  # binascii.Error, UnicodeDecodeError, or non-ASCII input
                raise _failed("The Basic credentials are not valid base64.") from None
            secret, _, _password = decoded.partition(":")
            if not secret.startswith(KEY_PREFIXES):
                raise _failed("HTTP Basic takes an API key as the username.")
        else:
            return None
        api_key = api_key_by_hash(ApiKey.hash_secret(secret))
        if api_key is None or not api_key.is_active or not api_key.school.is_active:
            raise _failed("The API key is invalid or revoked.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        school = _key_school(api_key)
        _note_school(request, school)
        credential = Credential(
            kind="api_key",
            school=school,
            scopes=frozenset(api_key.scopes),
            api_key=api_key,
        )
        return ApiPrincipal(api_key), credential

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class UserTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <JWT>`` issued by ``POST /api/v1/auth/token``."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        member = access_token_member(value.strip())
        _note_school(request, member.school)
        credential = Credential(
            kind="user",
            school=member.school,
            scopes=USER_TOKEN_SCOPES,
            user=member.user,
            member=member,
        )
        return member.user, credential

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
