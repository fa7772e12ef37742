"""Shared fixtures: two schools, API clients with keys of each, user-token clients, and admin
clients (a school's staff, a platform operator)."""

import os
import shutil
from importlib.util import find_spec

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.schools.models import Member
from apps.schools.services.people import user_create
from apps.schools.services.schools import api_key_create, school_create
from apps.schools.tokens import tokens_issue

CHROMIUM = os.environ.get("LYCEUM_CHROMIUM", "/usr/bin/chromium")


def _missing_services() -> dict[str, str]:
    """Map each service marker whose service is absent here to the reason it is skipped."""
    from django.conf import settings

    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgres"] = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if not settings.REDIS_URL:
        missing["redis"] = "needs Redis (set REDIS_URL=redis://...)"
    if not shutil.which(CHROMIUM):
        missing["browser"] = f"needs Chromium at {CHROMIUM}"
    elif find_spec("playwright") is None:
        missing["browser"] = "needs the playwright package"
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked postgres/redis/browser when that service is absent, saying why.

    With LYCEUM_REQUIRE_SERVICES=1 (set by .ci/run) a missing service is an error instead.
    """
    missing = _missing_services()
    needed = {m for item in items for m in missing if item.get_closest_marker(m)}
    if needed and os.environ.get("LYCEUM_REQUIRE_SERVICES") == "1":
        reasons = "; ".join(f"{m}: {missing[m]}" for m in sorted(needed))
        raise pytest.UsageError(f"LYCEUM_REQUIRE_SERVICES=1 but services are missing: {reasons}")
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and other cache state never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register_event_types(monkeypatch):
    """Register made-up event types for one test (``emit`` refuses unregistered names)."""
    from apps.core import event_types

    def register(*names: str) -> None:
        for name in names:
            made_up = event_types.EventType(
                name=name, description="A test event.", schema={"type": "object"}, sample={}
            )
            monkeypatch.setitem(event_types._registry, name, made_up)

    return register


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


@pytest.fixture
def staff(school) -> Member:
    """An admin of ``school`` who may sign in to the admin (school staff)."""
    from tests.factories import MemberFactory, UserFactory

    return MemberFactory(school=school, role=Member.Role.ADMIN, user=UserFactory(is_staff=True))


@pytest.fixture
def staff_client(staff) -> Client:
    """The admin as ``staff`` sees it."""
    from tests.factories import DEFAULT_PASSWORD

    client = Client()
    assert client.login(email=staff.user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def operator_client(db) -> Client:
    """The admin as a platform operator (a superuser of no school) sees it."""
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    operator = UserFactory(school=None, is_staff=True, is_superuser=True)
    client = Client()
    assert client.login(email=operator.email, password=DEFAULT_PASSWORD)
    return client


def admin_inline_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """The POST fields of an admin inline formset holding ``rows`` (the first ``initial``
    of them saved rows)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@pytest.fixture
def eager(monkeypatch):
    """Celery tasks run in-process even when REDIS_URL is set (as in CI)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    return app
