"""Pagination of every list: a ``count`` whose cost does not grow with the table, and
``?cursor=`` keyset pages for walking everything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from apps.core import pagination
from apps.core.pagination import list_count
from apps.schools.models import Member
from tests.core import api_routes
from tests.factories import MemberFactory, create_owned

pytestmark = pytest.mark.django_db

LIST_ROUTES = [pytest.param(route, id=route.name) for route in api_routes.list_routes()]


def _walk(client, url: str, **params) -> tuple[list[dict], list[dict]]:
    """Every page of a cursor walk from the start: (bodies, rows)."""
    bodies, rows = [], []
    response = client.get(url, {"cursor": "", **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        rows.extend(body["results"])
        if body["next"] is None:
            return bodies, rows
        response = client.get(body["next"])


# --- count ----------------------------------------------------------------------------------


def test_count_is_exact_for_lists_within_the_limit(api_client, school, settings):
    # given
    settings.LYCEUM_EXACT_COUNT_LIMIT = 5
    MemberFactory.create_batch(5, school=school, company="Acme")
    MemberFactory.create_batch(2, school=school, company="Other")

    # when
    filtered = api_client.get("/api/v1/users", {"company": "Acme", "page_size": 2})
    empty = api_client.get("/api/v1/users", {"company": "Nobody"})

    # then
    assert filtered.json()["count"] == 5
    assert empty.json()["count"] == 0


@pytest.mark.postgres  # the embedded SQLite counts exactly past the limit (no planner estimate)
def test_count_stops_counting_at_the_limit(api_client, school, settings):
    # given
    settings.LYCEUM_EXACT_COUNT_LIMIT = 3
    MemberFactory.create_batch(8, school=school)
    api_client.get("/api/v1/users", {"page_size": 2})
    pagination._estimates.clear()  # else the list is known past the limit, and not counted

    # when
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/users", {"page_size": 2})

    # then: the count reads at most limit + 1 rows, and never says fewer than that
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the page ran no count"
    assert all("LIMIT 4" in sql for sql in counts), counts
    assert all("schools_user" not in sql for sql in counts), "the count joins what it shows"
    assert response.json()["count"] >= 4
    assert response.json()["next"] is not None


def test_count_is_exact_on_the_last_page_past_the_limit(api_client, school, settings):
    # given
    settings.LYCEUM_EXACT_COUNT_LIMIT = 3
    MemberFactory.create_batch(7, school=school)

    # when
    last = api_client.get("/api/v1/users", {"page_size": 3, "page": "last"})
    third = api_client.get("/api/v1/users", {"page_size": 3, "page": 3})
    past = api_client.get("/api/v1/users", {"page_size": 3, "page": 4})

    # then
    assert last.json()["count"] == third.json()["count"] == 7
    assert len(last.json()["results"]) == 1
    assert last.json()["next"] is None
    assert past.status_code == 404
    assert "page" in past.json()["detail"]


@pytest.mark.parametrize("page", ["48473502019700480", str(10**30)])
def test_page_past_any_table_is_404_not_a_database_error(api_client, school, page):
    # given
    MemberFactory(school=school)

    # when
    response = api_client.get("/api/v1/users", {"page": page, "page_size": 1000})

    # then
    assert response.status_code == 404
    assert "page" in response.json()["detail"]


# --- cursor ---------------------------------------------------------------------------------


def test_cursor_walks_every_row_once_in_id_order_without_count(api_client, school):
    # given
    members = MemberFactory.create_batch(7, school=school)

    # when
    bodies, rows = _walk(api_client, "/api/v1/users", page_size=3)

    # then
    assert [row["id"] for row in rows] == sorted(m.user_id for m in members)
    assert [len(body["results"]) for body in bodies] == [3, 3, 1]
    assert all(set(body) == {"next", "results"} for body in bodies)


def test_cursor_page_is_a_keyset_query_not_an_offset(api_client, school):
    # given
    MemberFactory.create_batch(5, school=school)
    first = api_client.get("/api/v1/users", {"cursor": "", "page_size": 2}).json()

    # when
    with CaptureQueriesContext(connection) as queries:
        second = api_client.get(first["next"])

    # then
    assert second.status_code == 200
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "OFFSET" not in sql
    assert "COUNT(" not in sql


def test_cursor_follows_updated_since_ordering(api_client, school):
    # given
    with freeze_time("2026-01-01T10:00:00Z"):
        early, middle, late = MemberFactory.create_batch(3, school=school)
    with freeze_time("2026-01-02T10:00:00Z"):
        early.company = "Changed"
        early.save()

    # when
    bodies, rows = _walk(
        api_client, "/api/v1/users", updated_since="2026-01-01T00:00:00Z", page_size=1
    )

    # then
    same_time = sorted([middle.user_id, late.user_id])
    assert [row["id"] for row in rows] == [*same_time, early.user_id]
    assert all("updated_since" in body["next"] for body in bodies[:-1])


@pytest.mark.parametrize(
    "cursor", ["nonsense", "eyJvIjpbImlkIl19:1abc:def", "x" * 500, "%00", "  "]
)
def test_bad_cursor_is_400_naming_it(api_client, school, cursor):
    MemberFactory(school=school)

    # when
    response = api_client.get("/api/v1/users", {"cursor": cursor})

    # then
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "cursor_invalid"
    assert "cursor" in body["errors"]
    assert body["detail"].startswith("cursor: ")


def test_cursor_from_another_list_or_ordering_is_400(api_client, school):
    # given
    MemberFactory.create_batch(3, school=school)
    create_owned(api_routes.list_routes()[0].model, school=school)
    users_next = api_client.get("/api/v1/users", {"cursor": "", "page_size": 1}).json()["next"]
    cursor = users_next.split("cursor=")[1].split("&")[0]

    # when
    other_list = api_client.get("/api/v1/jobs", {"cursor": cursor})
    other_order = api_client.get(
        "/api/v1/users", {"cursor": cursor, "updated_since": "2020-01-01T00:00:00Z"}
    )

    # then
    assert other_list.status_code == other_order.status_code == 400
    assert "cursor" in other_list.json()["errors"]
    assert "cursor" in other_order.json()["errors"]


def test_page_and_cursor_together_is_400(api_client, school):
    MemberFactory(school=school)

    # when
    response = api_client.get("/api/v1/users", {"cursor": "", "page": 2})

    # then
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_cursor_of_one_school_shows_nothing_of_another(api_client, other_api_client, school):
    # given
    MemberFactory.create_batch(3, school=school)
    next_url = api_client.get("/api/v1/users", {"cursor": "", "page_size": 1}).json()["next"]

    # when
    response = other_api_client.get(next_url)

    # then
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_every_list_walks_by_cursor(route, api_client, school):
    # given
    first = create_owned(route.model, school=school)
    for _ in range(3):
        create_owned(route.model, school=school, **route.parent_overrides(first))
    url = route.url_for(first if route.kwargs else None)
    numbered = api_client.get(url, {"page_size": 100}).json()["results"]

    # when
    bodies, rows = _walk(api_client, url, page_size=1)

    # then: the same rows in the same order as the numbered pages give
    assert len(numbered) >= 2
    assert rows == numbered
    assert len(bodies) == len(numbered)
    assert all("count" not in body for body in bodies)


def test_list_count_of_lists_that_can_match_nothing(school, settings):
    # given
    settings.LYCEUM_EXACT_COUNT_LIMIT = 3
    MemberFactory.create_batch(2, school=school)
    members = Member.objects.filter(school=school)

    # then: what the database is never asked still counts, and exactly
    assert list_count(members.none()) == (0, True)
    assert list_count(members.filter(pk__in=[])) == (0, True)
    assert list_count(members) == (2, True)
    assert list_count(members.filter(company="nobody")) == (0, True)


@pytest.mark.postgres  # the embedded SQLite counts exactly past the limit (no planner estimate)
def test_the_planner_estimate_is_reused_briefly_per_school(
    api_client, other_api_client, school, other_school, settings, monkeypatch
):
    # given: two schools past the exact-count limit, and a clock the test moves
    settings.LYCEUM_EXACT_COUNT_LIMIT = 3
    MemberFactory.create_batch(6, school=school)
    MemberFactory.create_batch(5, school=other_school)
    now = [1000.0]
    monkeypatch.setattr(pagination, "_clock", lambda: now[0])
    pagination._estimates.clear()

    def counting(client) -> tuple[int, int]:
        """(EXPLAINs, bounded COUNTs) one page of the list ran."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/users", {"page_size": 2})
        assert response.status_code == 200
        assert response.json()["count"] >= 4
        sqls = [q["sql"] for q in queries.captured_queries]
        return (
            sum(sql.startswith("EXPLAIN") for sql in sqls),
            sum(sql.startswith("SELECT COUNT(*)") for sql in sqls),
        )

    # when / then: the first page counts to the limit and asks the planner; the next within
    # the TTL does neither (the list is known to be past the limit)
    assert counting(api_client) == (1, 1)
    assert counting(api_client) == (0, 0)
    # another school's list is another statement: never answered from this school's estimate
    assert counting(other_api_client) == (1, 1)
    # after the TTL the list is counted and the planner asked again
    now[0] += pagination.ESTIMATE_TTL + 1
    assert counting(api_client) == (1, 1)


@pytest.mark.postgres
def test_a_list_that_shrank_below_the_limit_counts_exactly_once_its_estimate_expires(
    api_client, school, settings, monkeypatch
):
    # given: a list past the limit, its estimate kept
    settings.LYCEUM_EXACT_COUNT_LIMIT = 3
    members = MemberFactory.create_batch(5, school=school)
    now = [1000.0]
    monkeypatch.setattr(pagination, "_clock", lambda: now[0])
    pagination._estimates.clear()
    first = api_client.get("/api/v1/users", {"page_size": 2}).json()

    # when: it shrinks to three rows, within the limit
    for member in members[3:]:
        member.delete()
    kept = api_client.get("/api/v1/users", {"page_size": 2}).json()
    now[0] += pagination.ESTIMATE_TTL + 1
    later = api_client.get("/api/v1/users", {"page_size": 2}).json()
    last = api_client.get("/api/v1/users", {"page_size": 2, "page": 2}).json()

    # then: meanwhile the page itself is right and its count still an estimate past the
    # limit; once the estimate expires, the count is exact again
    assert first["count"] >= 4
    assert kept["results"] == later["results"]
    assert kept["count"] >= 4
    assert later["count"] == 3
    assert len(last["results"]) == 1
    assert last["next"] is None


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_every_numbered_page_is_read_in_a_total_order(route, api_client, school):
    # given: rows enough for a page to be a slice of the list
    first = create_owned(route.model, school=school)
    create_owned(route.model, school=school, **route.parent_overrides(first))
    url = route.url_for(first if route.kwargs else None)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, {"page_size": 1})

    # then: the statement reading the page orders it (a GROUP BY drops a default ordering)
    assert response.status_code == 200, response.content
    # The page's statement reads one row past the page (``LIMIT 2``), to know of a next.
    pages = [query["sql"] for query in queries if query["sql"].endswith(" LIMIT 2")]
    assert pages, [query["sql"][:200] for query in queries]
    assert all(" ORDER BY " in sql for sql in pages), pages
