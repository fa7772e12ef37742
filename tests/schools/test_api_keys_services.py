"""API keys: generated secrets, hashed storage, scopes, revocation."""

import pytest

from apps.core.credentials import ALL_SCOPES
from apps.core.errors import InvalidInput
from apps.schools.models import ApiKey
from apps.schools.services.schools import api_key_create, api_key_revoke, validate_scopes

pytestmark = pytest.mark.django_db


def test_api_key_create_returns_the_secret_once_and_stores_its_hash(school):
    # when
    key, secret = api_key_create(school=school, name="CRM", scopes=["read:users"])

    # then
    assert secret.startswith("sk_live_")
    assert len(secret) > 40
    assert key.id.startswith("key_")
    assert key.matches(secret)
    assert not key.matches(secret + "x")
    assert key.prefix == secret[:12]
    assert not ApiKey.objects.filter(key_hash=secret).exists()


def test_test_keys_have_their_own_prefix(school):
    # when
    key, secret = api_key_create(school=school, name="CI", test=True)

    # then
    assert secret.startswith("sk_test_")
    assert key.is_test


def test_secrets_differ_every_time(school):
    # when
    secrets = {api_key_create(school=school, name=str(i))[1] for i in range(5)}

    # then
    assert len(secrets) == 5


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["write:users", "read:users", "read:users"], ["read:users", "write:users"]),
        (["read:users", "*"], ["*"]),
        ([], []),
    ],
)
def test_validate_scopes_dedupes_in_canonical_order(given, expected):
    assert validate_scopes(given) == expected


def test_unknown_scope_is_refused_naming_it(school):
    # when / then
    with pytest.raises(InvalidInput) as caught:
        api_key_create(school=school, name="bad", scopes=["read:users", "admin:everything"])
    assert caught.value.code == "unknown_scope"
    assert "admin:everything" in str(caught.value.detail)
    assert not ApiKey.objects.exists()


def test_every_design_scope_is_known():
    # the scopes DESIGN.md lists for keys
    assert set(ALL_SCOPES) == {
        "read:users",
        "write:users",
        "read:courses",
        "write:courses",
        "read:enrollments",
        "write:enrollments",
        "read:progress",
        "read:certificates",
        "read:commerce",
        "write:commerce",
        "read:community",
        "write:community",
        "read:webhooks",
        "write:webhooks",
    }


def test_revoke_is_idempotent(school):
    # given
    key, _ = api_key_create(school=school, name="k")

    # when
    api_key_revoke(api_key=key)
    first = key.revoked_at
    api_key_revoke(api_key=key)

    # then
    key.refresh_from_db()
    assert not key.is_active
    assert key.revoked_at == first
