"""Shared fixtures: two schools, API clients with keys of each, and user-token clients."""

import pytest
from rest_framework.test import APIClient

from apps.schools.models import Member
from apps.schools.services import api_key_create, school_create, user_create
from apps.schools.tokens import tokens_issue


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and other cache state never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    return school_create(name="Alpha Academy", slug="alpha")[0]


@pytest.fixture
def other_school(db):
    return school_create(name="Beta Institute", slug="beta")[0]


def make_client(secret: str | None = None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_key(school):
    """``(ApiKey, secret)`` holding every scope in ``school``."""
    return api_key_create(school=school, name="test key", scopes=["*"])


@pytest.fixture
def api_client(api_key) -> APIClient:
    return make_client(api_key[1])


@pytest.fixture
def other_api_client(other_school) -> APIClient:
    return make_client(api_key_create(school=other_school, name="other", scopes=["*"])[1])


@pytest.fixture
def scoped_client(school):
    """Build a client whose key holds only the given scopes."""

    def build(*scopes: str) -> APIClient:
        return make_client(api_key_create(school=school, name="scoped", scopes=scopes)[1])

    return build


@pytest.fixture
def learner(school) -> Member:
    member, _ = user_create(
        school=school,
        email="learner@alpha.test",
        first_name="Lee",
        last_name="Learner",
        password="correct horse battery",
    )
    return member


@pytest.fixture
def user_client(learner) -> APIClient:
    """A client acting as ``learner`` with a user JWT."""
    return make_client(tokens_issue(member=learner).access_token)
