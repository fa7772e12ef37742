"""Built-in user roles exist from the school's creation; reading roles never writes."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.schools.models import School, UserRole
from apps.schools.services.schools import school_create
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BUILTINS = [("Admin", "admin"), ("Instructor", "instructor"), ("Learner", "learner")]
BUILTINS += [("Reporter", "reporter")]


def _builtins(school: School) -> list[tuple[str, str]]:
    rows = UserRole.objects.filter(school=school, builtin=True).order_by("title")
    return list(rows.values_list("title", "role"))


def _writes(queries: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verbs)]


def test_school_create_gives_the_school_its_builtin_roles():
    # when
    school, created = school_create(name="Gamma College", slug="gamma")

    # then
    assert created
    assert _builtins(school) == BUILTINS


def test_school_create_again_restores_missing_builtins(school):
    # given
    UserRole.objects.filter(school=school, role="reporter").delete()

    # when
    school_create(name=school.name, slug=school.slug)

    # then
    assert _builtins(school) == BUILTINS


@pytest.mark.parametrize("path", ["/api/v1/user-roles", "/api/v1/users/{user_id}/user-role"])
def test_reading_roles_writes_nothing(api_client, learner, path):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(path.format(user_id=learner.user_id))

    # then
    assert response.status_code == 200
    assert not [sql for sql in _writes(queries) if "schools_userrole" in sql]


def test_migration_gives_older_schools_their_builtin_roles(school, other_school):
    # given: a school from before the built-ins were created with it
    UserRole.objects.filter(school=school).delete()
    migration = importlib.import_module("apps.schools.migrations.0005_builtin_user_roles")

    # when
    migration.create_builtin_roles(global_apps, None)
    migration.create_builtin_roles(global_apps, None)

    # then
    assert _builtins(school) == BUILTINS
    assert _builtins(other_school) == BUILTINS


def test_operator_adding_a_school_in_the_admin_gets_builtin_roles():
    # given
    operator = MemberFactory().user
    operator.is_staff = operator.is_superuser = True
    operator.set_password("operator passphrase")
    operator.save()
    client = Client()
    client.force_login(operator)

    # when
    response = client.post(
        "/admin/schools/school/add/", {"name": "Delta", "slug": "delta", "is_active": "on"}
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    assert _builtins(School.objects.get(slug="delta")) == BUILTINS
