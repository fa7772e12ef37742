"""The credential path's key lookup: one precompiled query, rows converted as the ORM does."""

from datetime import datetime

import pytest

from apps.schools.models import ApiKey
from apps.schools.selectors.schools import api_key_by_hash
from apps.schools.services.schools import api_key_create, api_key_revoke
from tests.conftest import make_client

pytestmark = pytest.mark.django_db


def test_key_lookup_loads_key_and_school_in_one_query(school, django_assert_num_queries):
    # given
    key, secret = api_key_create(school=school, name="Sync", scopes=["read:users"])

    # when
    with django_assert_num_queries(1):
        found = api_key_by_hash(ApiKey.hash_secret(secret))
        school_name = found.school.name

    # then
    assert found.pk == key.pk
    assert found.scopes == ["read:users"]
    assert isinstance(found.created_at, datetime)
    assert found.created_at.tzinfo is not None
    assert school_name == school.name
    assert found.school.is_active is True


def test_key_lookup_of_an_unknown_hash_is_none(school):
    assert api_key_by_hash(ApiKey.hash_secret("sk_live_nothing")) is None


def test_revoked_key_is_found_but_refused(school):
    # given
    key, secret = api_key_create(school=school, name="Old", scopes=["*"])
    api_key_revoke(api_key=key)

    # when
    found = api_key_by_hash(ApiKey.hash_secret(secret))
    response = make_client(secret).get("/api/v1/me")

    # then
    assert found is not None
    assert not found.is_active
    assert response.status_code == 401
