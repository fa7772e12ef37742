"""``PreparedQuery``: a queryset compiled once, run again with each call's values, giving
what the queryset itself gives."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.models import PublishedCourse
from apps.core.api.base import Parent
from apps.core.credentials import Credential
from apps.core.errors import NotFound
from apps.core.prepared import PreparedQuery, prepared_cursor
from apps.schools.models import DomainUser, Member
from apps.schools.selectors.domains import with_active_now
from tests.factories import DomainFactory, MemberFactory, PublishedCourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _members_of(variant, *, school):
    return (
        Member.objects.select_related("user")
        .filter(school__pk=school)
        .annotate(tag_count=Count("tags"), email=F("user__email"))
        .order_by("user__email")
    )


def test_model_rows_are_those_of_the_queryset_with_related_rows_and_annotations(
    school, other_school
):
    # given
    for n in range(3):
        MemberFactory(school=school, user=UserFactory(school=school, email=f"m{n}@example.test"))
    MemberFactory(school=other_school)
    prepared = PreparedQuery(_members_of, "school")

    # when
    found = prepared.rows({"school": school.pk})

    # then
    expected = list(_members_of(None, school=school.pk))
    assert [m.pk for m in found] == [m.pk for m in expected]
    assert [m.user.email for m in found] == [m.user.email for m in expected]
    assert [(m.tag_count, m.email) for m in found] == [(m.tag_count, m.email) for m in expected]
    assert all(m._state.adding is False and m._state.db == "default" for m in found)


def test_each_call_runs_with_its_own_values_and_compiles_once(
    school, other_school, django_assert_num_queries
):
    # given
    ours, theirs = MemberFactory(school=school), MemberFactory(school=other_school)
    compiled = []

    def build(variant, *, school):
        compiled.append(school)
        return Member.objects.filter(school__pk=school)

    prepared = PreparedQuery(build, "school")

    # when
    with django_assert_num_queries(2):
        first = prepared.rows({"school": school.pk})
        second = prepared.rows({"school": other_school.pk})

    # then
    assert [m.pk for m in first] == [ours.pk]
    assert [m.pk for m in second] == [theirs.pk]
    assert len(compiled) == 1


def test_values_rows_page_with_limit_and_offset(school):
    # given
    users = [UserFactory(school=school, email=f"p{n}@example.test") for n in range(5)]
    for user in users:
        MemberFactory(school=school, user=user)
    prepared = PreparedQuery(
        lambda variant, *, school: (
            Member.objects.filter(school__pk=school)
            .order_by("user__email")
            .values("user_id", email=F("user__email"))
        ),
        "school",
    )

    # when
    page = prepared.rows({"school": school.pk}, limit=2, offset=1)

    # then
    assert page == [
        {"user_id": users[1].pk, "email": "p1@example.test"},
        {"user_id": users[2].pk, "email": "p2@example.test"},
    ]


def test_variants_compile_their_own_statements(school):
    # given
    member = MemberFactory(school=school, role=Member.Role.ADMIN)
    MemberFactory(school=school, role=Member.Role.LEARNER)

    def build(admins_only, *, school):
        queryset = Member.objects.filter(school__pk=school)
        return queryset.filter(role=Member.Role.ADMIN) if admins_only else queryset

    prepared = PreparedQuery(build, "school")

    # when / then
    assert [m.pk for m in prepared.rows({"school": school.pk}, variant=True)] == [member.pk]
    assert len(prepared.rows({"school": school.pk}, variant=False)) == 2


def test_a_slot_its_lookup_rewrites_is_refused(school):
    prepared = PreparedQuery(
        lambda variant, *, name: Member.objects.filter(user__email__icontains=name), "name"
    )
    with pytest.raises(ImproperlyConfigured, match="rewritten"):
        prepared.rows({"name": "ada"})


def test_a_sliced_statement_is_not_paged_again(school):
    prepared = PreparedQuery(
        lambda variant, *, school: Member.objects.filter(school__pk=school)[:1], "school"
    )
    with pytest.raises(ImproperlyConfigured, match="cannot be paged"):
        prepared.rows({"school": school.pk}, limit=5)


def test_a_prepared_parent_looks_up_each_request_s_values(school, other_school):
    # given: one Parent, read in turn by two schools' credentials and with a domain to match
    ours = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    theirs = PublishedCourseFactory(school=other_school, domain=DomainFactory(school=other_school))
    parent = Parent(
        PublishedCourse.objects.select_related("course", "domain"),
        url_kwarg="published_id",
        match={"domain__name": "domain_name"},
    )

    def view(school_, published, domain_name):
        credential = Credential(kind="api_key", school=school_, scopes=frozenset())
        kwargs = {"published_id": published.pk, "domain_name": domain_name}
        return SimpleNamespace(request=SimpleNamespace(auth=credential), kwargs=kwargs)

    # when / then
    assert parent.resolve(view(school, ours, ours.domain.name)) == ours
    assert parent.resolve(view(other_school, theirs, theirs.domain.name)) == theirs
    with pytest.raises(NotFound):
        parent.resolve(view(school, theirs, theirs.domain.name))
    with pytest.raises(NotFound):
        parent.resolve(view(school, ours, theirs.domain.name))


def test_a_moment_taken_while_building_is_refused(school):
    # given: a statement that would keep the moment it was built at for the process's life
    prepared = PreparedQuery(
        lambda variant, *, school: Member.objects.filter(
            school__pk=school, created_at__lte=timezone.now()
        ),
        "school",
    )

    in_annotation = PreparedQuery(
        lambda variant, *, school: with_active_now(DomainUser.objects.filter(school__pk=school)),
        "school",
    )

    # when / then
    with pytest.raises(ImproperlyConfigured, match="date or time"):
        prepared.rows({"school": school.pk})
    with pytest.raises(ImproperlyConfigured, match="date or time"):
        in_annotation.rows({"school": school.pk})


def test_a_slot_cleaned_by_a_filter_still_stands_for_its_value(school, other_school):
    # given: a slot stripped and lower-cased on its way (as form fields clean values)
    ours = MemberFactory(school=school)
    prepared = PreparedQuery(
        lambda variant, *, school: Member.objects.filter(school__pk=school.strip().lower()),
        "school",
    )

    # when / then: the token survives cleaning, so the statement takes each call's value
    assert [m.pk for m in prepared.rows({"school": school.pk})] == [ours.pk]
    assert prepared.rows({"school": other_school.pk}) == []


def _server_prepared(cursor, fragment: str) -> list[str]:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    return [statement for (statement,) in cursor.fetchall() if fragment in statement]


@pytest.mark.postgres
def test_on_postgresql_the_server_prepares_a_repeated_statement_once(school, other_school):
    # given
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] is not None
    statement = "SELECT name FROM schools_school WHERE id = %s AND 'prepared-probe' <> %s"

    # when: the same statement, run with two schools' values
    names = []
    for value in (school.pk, other_school.pk, school.pk):
        with prepared_cursor(connection) as cursor:
            cursor.execute(statement, [value, "x"])
            names.append(cursor.fetchone()[0])

    # then: each run answers its own values; the server holds one statement for all three
    assert names == [school.name, other_school.name, school.name]
    with connection.cursor() as cursor:
        assert len(_server_prepared(cursor, "prepared-probe")) == 1


@pytest.mark.postgres
def test_a_prepared_statement_is_logged_with_its_values_merged(school):
    # when
    with CaptureQueriesContext(connection) as queries:
        with prepared_cursor(connection) as cursor:
            cursor.execute("SELECT name FROM schools_school WHERE id = %s", [school.pk])

    # then: as an ordinary statement is logged
    assert queries[0]["sql"] == f"SELECT name FROM schools_school WHERE id = '{school.pk}'"


def test_without_server_preparing_the_cursor_is_the_connection_s_own(school):
    # given: SQLite, or DB_PREPARED_STATEMENTS=0 (prepare_threshold unset) on PostgreSQL
    options = connection.settings_dict["OPTIONS"]
    kept = options.pop("prepare_threshold", None)
    try:
        # when
        with prepared_cursor(connection) as cursor:
            cursor.execute("SELECT name FROM schools_school WHERE id = %s", [school.pk])

            # then
            assert cursor.fetchone()[0] == school.name
            assert type(cursor.cursor) is type(connection.cursor().cursor)
    finally:
        if kept is not None:
            options["prepare_threshold"] = kept
