"""Concurrent writes on the embedded SQLite default: they wait for each other, and a lock
that outlasts the wait is a retryable 503 in the envelope, never a 500."""

import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from apps.core.errors import handler500, is_database_busy
from apps.schools.models import Invite
from apps.schools.selectors.invites import invite_token
from tests.core.fresh_process import run_fresh_django

SQLITE_CONCURRENCY = textwrap.dedent(
    """
    import json, threading, time
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    connection.close()
    errors = []
    start = threading.Barrier(2)

    def bump():
        # Read, think, write back: the read-then-write shape of a service's transaction.
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    (n,) = cursor.fetchone()
                    time.sleep(0.3)
                    cursor.execute("UPDATE counter SET n = %s", [n + 1])
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        n = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout_ms = cursor.fetchone()[0]
    print(json.dumps({
        "errors": errors, "n": n, "journal_mode": journal_mode, "busy_timeout_ms": busy_timeout_ms
    }))
    """
)


def test_sqlite_default_writers_wait_for_each_other_in_wal_mode(tmp_path):
    # given: the embedded default's settings on a database file (what `make run` serves)
    # when: two threads run a read-then-write transaction at the same moment
    report = run_fresh_django(SQLITE_CONCURRENCY, tmp_path=tmp_path, timeout=120)

    # then: the second waited for the first; no "database is locked", no lost update
    assert report["errors"] == []
    assert report["n"] == 2
    assert report["journal_mode"] == "wal"
    assert report["busy_timeout_ms"] >= 5000


def locked(match: str = "") -> Callable[..., Any]:
    """An execute wrapper: statements starting with ``match`` hit a lock nobody releases."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(match):
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    return wrapper


def assert_busy(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    body = response.json()
    assert body["code"] == "database_busy"
    assert set(body) == {"detail", "code", "errors", "request_id"}
    assert body["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_an_api_write_that_stays_locked_answers_503_with_retry_after(api_client):
    # when
    with connection.execute_wrapper(locked("INSERT")):
        response = api_client.post(
            "/api/v1/users",
            {"email": "ada@example.test", "first_name": "Ada", "last_name": "L"},
            format="json",
        )

    # then
    assert_busy(response)


@pytest.mark.django_db
def test_a_locked_read_on_an_api_view_answers_503(client):
    # when
    with connection.execute_wrapper(locked()):
        response = client.get("/api/v1/ping")

    # then
    assert_busy(response)


@pytest.mark.django_db
def test_a_locked_non_api_view_answers_503(client):
    # given: a well-signed link, so the invite page (a plain Django view) looks it up
    token = invite_token(Invite(id="inv_01jd8x0000000000000000000"))

    # when
    with connection.execute_wrapper(locked()):
        response = client.get(f"/invites/{token}")

    # then
    assert_busy(response)


def test_a_lock_raised_outside_any_view_answers_503_from_the_500_handler():
    # given
    request = RequestFactory().get("/admin/")

    # when: Django calls handler500 while handling the uncaught exception
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = handler500(request)

    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert json.loads(response.content)["code"] == "database_busy"


def test_other_errors_still_answer_500_from_the_500_handler():
    # given
    request = RequestFactory().get("/admin/")

    # when
    try:
        raise OperationalError("no such table: schools_school")
    except OperationalError:
        response = handler500(request)

    # then
    assert response.status_code == 500


@pytest.mark.parametrize(
    ("exc", "busy"),
    [
        (OperationalError("database is locked"), True),
        (OperationalError("database table is locked: schools_user"), True),
        (OperationalError("no such table: schools_user"), False),
        (ValueError("database is locked"), False),
    ],
)
def test_is_database_busy_recognises_sqlite_lock_errors(exc, busy):
    assert is_database_busy(exc) is busy


class DriverError(Exception):
    """A database driver's error carrying a SQLSTATE, as psycopg's errors do."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "busy"),
    [("40001", True), ("40P01", True), ("55P03", True), ("57014", False), (None, False)],
)
def test_is_database_busy_recognises_postgres_retryable_states(sqlstate, busy):
    # given: Django's OperationalError wrapping a driver error with that SQLSTATE
    exc = OperationalError("could not serialize access")
    exc.__cause__ = DriverError(sqlstate)

    # then
    assert is_database_busy(exc) is busy
