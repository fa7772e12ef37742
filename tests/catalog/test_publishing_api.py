from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from apps.catalog.api.publishing import PublishedCourseSerializer, PublishedCourseViewSet
from apps.catalog.models import PublishedCourse
from apps.catalog.selectors import publishing as publishing_selectors
from apps.catalog.services import lessons as lesson_services
from apps.catalog.services import publishing as publishing_services
from apps.core.models import Event
from tests.factories import (
    CourseFactory,
    CourseSeriesFactory,
    DomainFactory,
    LabelFactory,
    LessonFactory,
    PathFactory,
    PathItemFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db

SEED_COURSE_KEYS = {
    "id",
    "course",
    "slug",
    "course_url",
    "hidden",
    "registration_required",
    "registration_starts_at",
    "registration_ends_at",
    "timezone",
}
SEARCHABLE_COURSE_KEYS = {
    "lesson_list",
    "tags",
    "short_description",
    "long_description_html",
    "search_keywords",
}
SEARCHABLE_PATH_KEYS = {
    "path_item_list",
    "title",
    "short_description",
    "long_description_html",
    "search_keywords",
    "tags",
    "hidden",
}


@pytest.fixture
def domain(school):
    return DomainFactory(school=school, name="learn.example.com")


def _base(domain) -> str:
    return f"/api/v1/domains/{domain.name}"


def test_publish_a_course_answers_the_seed_shape_with_its_own_id(api_client, school, domain):
    # given
    course = CourseFactory(school=school, title="Example Title", slug="example-course")

    # when
    response = api_client.post(
        f"{_base(domain)}/published-courses",
        {
            "course_id": course.id,
            "registration_required": True,
            "registration_starts_at": "2017-11-28T08:00:00Z",
            "registration_ends_at": "2018-09-30T06:00:00Z",
            "timezone": "US/Pacific",
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert SEED_COURSE_KEYS <= set(body)
    assert body["id"].startswith("pcr_")
    assert body["id"] != course.id
    assert body["course"] == {"id": course.id, "title": "Example Title"}
    assert body["slug"] == "example-course"
    assert body["course_url"] == "https://learn.example.com/example-course"
    assert body["hidden"] is False
    assert body["registration_required"] is True
    assert body["registration_starts_at"] == "2017-11-28T08:00:00.000000Z"
    assert body["registration_ends_at"] == "2018-09-30T06:00:00.000000Z"
    assert body["timezone"] == "US/Pacific"
    event = Event.objects.get(school=school, type="course.published")
    assert event.payload["id"] == body["id"]
    assert event.payload["course"] == {"id": course.id, "title": "Example Title"}


def test_list_and_read_published_courses(api_client, school, domain):
    # given
    published = PublishedCourseFactory(school=school, domain=domain)
    PublishedCourseFactory(school=school)  # another domain of the school

    # when
    listed = api_client.get(f"{_base(domain)}/published-courses")
    read = api_client.get(f"{_base(domain)}/published-courses/{published.id}")

    # then
    assert listed.json()["count"] == 1
    assert set(listed.json()["results"][0]) >= SEED_COURSE_KEYS
    assert not SEARCHABLE_COURSE_KEYS & set(listed.json()["results"][0])
    assert read.json()["id"] == published.id


def test_include_searchable_content_adds_the_seed_fields(api_client, school, domain):
    # given
    course = CourseFactory(school=school, short_description="Short", long_description_html="L")
    course.labels.add(LabelFactory(school=school, name="Safety"))
    lesson = LessonFactory(school=school, course=course, title="Intro")
    published = PublishedCourseFactory(
        school=school, domain=domain, course=course, search_keywords="lift"
    )

    # when
    listed = api_client.get(
        f"{_base(domain)}/published-courses", {"include_searchable_content": "true"}
    )
    read = api_client.get(
        f"{_base(domain)}/published-courses/{published.id}",
        {"include_searchable_content": "True"},
    )

    # then
    for body in (listed.json()["results"][0], read.json()):
        assert SEARCHABLE_COURSE_KEYS <= set(body)
        assert body["lesson_list"] == [
            {"id": lesson.id, "title": "Intro", "type": "HTML", "order": 1}
        ]
        assert body["tags"] == ["Safety"]
        assert (body["short_description"], body["long_description_html"]) == ("Short", "L")
        assert body["search_keywords"] == "lift"


def test_include_searchable_content_not_a_boolean_is_400_naming_it(api_client, domain):
    response = api_client.get(
        f"{_base(domain)}/published-courses", {"include_searchable_content": "maybe"}
    )

    assert response.status_code == 400
    assert "include_searchable_content" in response.json()["errors"]


def test_searchable_list_runs_constant_queries(api_client, school, domain):
    # four publications: both pages below have a next page (and so count the list)
    for _ in range(4):
        published = PublishedCourseFactory(school=school, domain=domain)
        LessonFactory(school=school, course=published.course)
        published.course.labels.add(LabelFactory(school=school))
    url = f"{_base(domain)}/published-courses"
    query = {"include_searchable_content": "true"}
    api_client.get(url, query)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, {**query, "page_size": 1})

    with CaptureQueriesContext(connection) as three:
        response = api_client.get(url, {**query, "page_size": 3})

    assert len(response.json()["results"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        (
            {
                "registration_starts_at": "2026-02-01T00:00:00Z",
                "registration_ends_at": "2026-01-01T00:00:00Z",
            },
            "registration_ends_at",
        ),
        ({"slug": "not a slug"}, "slug"),
    ],
)
def test_bad_publication_is_400_naming_the_field(api_client, school, domain, body, field):
    course = CourseFactory(school=school)

    response = api_client.post(
        f"{_base(domain)}/published-courses", {"course_id": course.id, **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PublishedCourse.objects.exists()


def test_publishing_twice_or_on_a_taken_slug_is_409(api_client, school, domain):
    # given
    published = PublishedCourseFactory(school=school, domain=domain, slug="taken")
    other = CourseFactory(school=school)
    url = f"{_base(domain)}/published-courses"

    # when
    again = api_client.post(url, {"course_id": published.course_id}, format="json")
    clash = api_client.post(url, {"course_id": other.id, "slug": "TAKEN"}, format="json")

    # then
    assert again.status_code == clash.status_code == 409
    assert "course_id" in again.json()["errors"]
    assert "slug" in clash.json()["errors"]


def test_other_schools_domain_course_and_series_are_refused(
    api_client, school, domain, other_school
):
    # given
    theirs = DomainFactory(school=other_school)
    their_series = CourseSeriesFactory(school=other_school)
    url = f"{_base(domain)}/published-courses"

    # when
    on_their_domain = api_client.get(f"/api/v1/domains/{theirs.name}/published-courses")
    their_course = api_client.post(
        url, {"course_id": CourseFactory(school=other_school).id}, format="json"
    )
    into_their_series = api_client.post(
        url,
        {"course_id": CourseFactory(school=school).id, "course_series_id": their_series.id},
        format="json",
    )

    # then
    assert on_their_domain.status_code == 404
    assert their_course.status_code == into_their_series.status_code == 400
    assert "course_id" in their_course.json()["errors"]
    assert "course_series_id" in into_their_series.json()["errors"]


def test_series_of_another_domain_of_the_school_is_400(api_client, school, domain):
    series = CourseSeriesFactory(school=school)  # on another domain

    response = api_client.post(
        f"{_base(domain)}/published-courses",
        {"course_id": CourseFactory(school=school).id, "course_series_id": series.id},
        format="json",
    )

    assert response.status_code == 400
    assert "course_series_id" in response.json()["errors"]


def test_patch_and_unpublish_a_course(api_client, school, domain):
    # given
    published = PublishedCourseFactory(school=school, domain=domain)
    url = f"{_base(domain)}/published-courses/{published.id}"

    # when
    patched = api_client.patch(url, {"hidden": True, "timezone": "Europe/Paris"}, format="json")
    deleted = api_client.delete(url)

    # then
    assert patched.status_code == 200, patched.content
    assert (patched.json()["hidden"], patched.json()["timezone"]) == (True, "Europe/Paris")
    assert deleted.status_code == 204
    assert not PublishedCourse.objects.exists()
    event = Event.objects.get(school=school, type="course.unpublished")
    assert event.payload["id"] == published.id


def test_course_series_and_their_published_courses(api_client, school, domain):
    # given
    series = CourseSeriesFactory(school=school, domain=domain, title="Spring")
    inside = PublishedCourseFactory(school=school, domain=domain, course_series=series)
    PublishedCourseFactory(school=school, domain=domain, course_series=None)

    # when
    listed = api_client.get(f"{_base(domain)}/course-series")
    courses = api_client.get(f"{_base(domain)}/course-series/{series.id}/published-courses")

    # then
    assert listed.json()["results"][0]["title"] == "Spring"
    assert listed.json()["results"][0]["published_course_count"] == 1
    assert [row["id"] for row in courses.json()["results"]] == [inside.id]


def test_course_series_of_another_domain_is_404_under_this_one(api_client, school, domain):
    series = CourseSeriesFactory(school=school)

    response = api_client.get(f"{_base(domain)}/course-series/{series.id}/published-courses")

    assert response.status_code == 404


# --- search (on either database; ranking on PostgreSQL is in test_publishing_services) -----


def test_search_finds_title_description_and_lesson_content(api_client, school, domain):
    # given
    by_title = PublishedCourseFactory(
        school=school, domain=domain, course=CourseFactory(school=school, title="Forklift Safety")
    )
    by_lesson = PublishedCourseFactory(school=school, domain=domain)
    lesson_services.lesson_create(
        course=by_lesson.course, type="HTML", title="Operating a forklift"
    )
    PublishedCourseFactory(school=school, domain=domain)  # no match

    # when
    response = api_client.get(f"{_base(domain)}/published-courses", {"search": "forklift"})

    # then
    assert [row["id"] for row in response.json()["results"]] == [by_title.id, by_lesson.id]


def _forklift_catalog(school, domain, matches: int = 3) -> list[PublishedCourse]:
    """``matches`` publications finding "forklift" (title, description, lesson, ...) among
    others that do not."""
    found = []
    for n in range(matches):
        course = CourseFactory(
            school=school,
            title=f"Forklift {n}" if n % 3 == 0 else f"Course {n}",
            short_description="Near forklifts" if n % 3 == 1 else "Plain",
        )
        published = publishing_services.course_publish(domain=domain, course=course)
        if n % 3 == 2:
            lesson_services.lesson_create(course=course, type="HTML", title="A forklift")
        found.append(published)
    for _ in range(2):
        PublishedCourseFactory(school=school, domain=domain)
    return found


def test_search_list_runs_constant_queries(api_client, school, domain):
    # given
    _forklift_catalog(school, domain)
    url = f"{_base(domain)}/published-courses"
    api_client.get(url, {"search": "forklift"})
    with CaptureQueriesContext(connection) as one:
        small = api_client.get(url, {"search": "forklift", "page_size": 1})

    # when
    with CaptureQueriesContext(connection) as three:
        large = api_client.get(url, {"search": "forklift", "page_size": 3})

    # then
    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_search_page_counts_its_matches_in_the_page_statement(api_client, school, domain):
    # given
    _forklift_catalog(school, domain, matches=5)
    url = f"{_base(domain)}/published-courses"

    # when
    with CaptureQueriesContext(connection) as captured:
        first = api_client.get(url, {"search": "forklift", "page_size": 2})
    statements = [query["sql"] for query in captured.captured_queries]  # before the next request
    second = api_client.get(url, {"search": "forklift", "page_size": 2, "page": 2})
    last = api_client.get(url, {"search": "forklift", "page_size": 2, "page": 3})
    past = api_client.get(url, {"search": "forklift", "page_size": 2, "page": 4})
    nothing = api_client.get(url, {"search": "crane"})

    # then: the count of all matches, without a count statement of its own
    assert [first.json()["count"], second.json()["count"], last.json()["count"]] == [5, 5, 5]
    assert first.json()["next"] is not None
    assert last.json()["next"] is None
    assert past.status_code == 404
    assert nothing.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert statements
    assert not [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    ids = [row["id"] for page in (first, second, last) for row in page.json()["results"]]
    assert len(set(ids)) == 5


def test_a_page_with_rows_joins_the_domain_instead_of_reading_it_first(
    api_client, school, domain, other_school
):
    # given: the other school has the same catalogue on a domain of its own
    _forklift_catalog(school, domain)
    theirs = DomainFactory(school=other_school)
    _forklift_catalog(other_school, theirs)
    url = f"{_base(domain)}/published-courses"

    def domain_reads(captured) -> list[str]:
        # Read at once: the next request clears the connection's log.
        return [q["sql"] for q in captured.captured_queries if 'FROM "schools_domain"' in q["sql"]]

    # when
    with CaptureQueriesContext(connection) as captured:
        found = api_client.get(url, {"search": "forklift"})
    reads_with_rows = domain_reads(captured)
    with CaptureQueriesContext(connection) as captured:
        nothing = api_client.get(url, {"search": "crane"})
    reads_when_empty = domain_reads(captured)
    on_their_domain = api_client.get(
        f"/api/v1/domains/{theirs.name}/published-courses", {"search": "forklift"}
    )
    on_no_domain = api_client.get("/api/v1/domains/nowhere.example.com/published-courses")
    their_series = api_client.get(f"/api/v1/domains/{theirs.name}/course-series")
    their_paths = api_client.get(f"/api/v1/domains/{theirs.name}/published-paths")

    # then: no statement reads the domain on its own unless the page is empty
    assert found.json()["count"] == 3
    assert reads_with_rows == []
    assert len(reads_when_empty) == 1
    assert nothing.status_code == 200
    assert nothing.json()["results"] == []
    assert on_their_domain.status_code == on_no_domain.status_code == 404
    assert their_series.status_code == their_paths.status_code == 404
    assert on_their_domain.json()["detail"] == "No such domain."


def test_list_rows_give_the_serializers_shape(school, domain):
    # given: every field set, times with microseconds, one in a series and one not
    series = CourseSeriesFactory(school=school, domain=domain)
    publishing_services.course_publish(
        domain=domain,
        course=CourseFactory(school=school, title="Windowed"),
        slug="windowed",
        hidden=True,
        registration_required=True,
        registration_starts_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        registration_ends_at=datetime(2026, 2, 2, tzinfo=UTC),
        timezone="US/Pacific",
        course_series=series,
    )
    publishing_services.course_publish(domain=domain, course=CourseFactory(school=school))
    listed = publishing_selectors.published_course_list(
        queryset=PublishedCourse.objects.filter(domain=domain).order_by("id")
    )

    # when
    rows = [
        PublishedCourseSerializer.row_payload(row)
        for row in publishing_selectors.published_course_rows(listed)
    ]

    # then
    assert rows == [PublishedCourseSerializer(published).data for published in listed]
    assert rows[0]["registration_starts_at"] == "2026-01-02T03:04:05.678901Z"
    assert {row["course_series_id"] for row in rows} == {series.id, None}


def test_path_search_does_not_look_inside_path_items(api_client, school, domain):
    # given
    matching = PublishedPathFactory(
        school=school, domain=domain, path=PathFactory(school=school, title="Forklift path")
    )
    other = PublishedPathFactory(school=school, domain=domain)
    PathItemFactory(
        school=school, path=other.path, course=CourseFactory(school=school, title="Forklift")
    )

    # when
    response = api_client.get(f"{_base(domain)}/published-paths", {"search": "forklift"})

    # then
    assert [row["id"] for row in response.json()["results"]] == [matching.id]


# --- published paths -------------------------------------------------------------------------


def test_publish_a_path_answers_the_seed_shape(api_client, school, domain):
    # given
    path = PathFactory(school=school, title="Example Path Title", slug="example-path-title")
    PathItemFactory(school=school, path=path)

    # when
    response = api_client.post(
        f"{_base(domain)}/published-paths", {"path_id": path.id}, format="json"
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("ppt_")
    assert body["path"] == {"id": path.id, "title": "Example Path Title", "path_item_count": 1}
    assert body["path_url"] == "https://learn.example.com/path/example-path-title"


def test_published_path_searchable_content(api_client, school, domain):
    # given
    path = PathFactory(school=school, title="T", search_keywords="kw")
    path.labels.add(LabelFactory(school=school, name="Ops"))
    item = PathItemFactory(school=school, path=path)
    published = PublishedPathFactory(school=school, domain=domain, path=path, hidden=True)

    # when
    response = api_client.get(
        f"{_base(domain)}/published-paths/{published.id}", {"include_searchable_content": "1"}
    )

    # then
    body = response.json()
    assert SEARCHABLE_PATH_KEYS <= set(body)
    assert [row["id"] for row in body["path_item_list"]] == [item.id]
    assert (body["title"], body["search_keywords"], body["tags"], body["hidden"]) == (
        "T",
        "kw",
        ["Ops"],
        True,
    )


def test_unpublish_a_path_and_other_schools_path_is_refused(
    api_client, school, domain, other_school
):
    published = PublishedPathFactory(school=school, domain=domain)

    refused = api_client.post(
        f"{_base(domain)}/published-paths",
        {"path_id": PathFactory(school=other_school).id},
        format="json",
    )
    deleted = api_client.delete(f"{_base(domain)}/published-paths/{published.id}")

    assert refused.status_code == 400
    assert "path_id" in refused.json()["errors"]
    assert deleted.status_code == 204


def test_search_with_a_cursor_is_400_naming_cursor(api_client, school, domain):
    PublishedCourseFactory(school=school, domain=domain)

    response = api_client.get(
        f"{_base(domain)}/published-courses", {"search": "x", "cursor": "abc"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid"
    assert "cursor" in response.json()["errors"]


def test_a_search_answers_each_school_s_domain_with_its_own_publications(
    api_client, other_api_client, school, other_school, domain
):
    """On PostgreSQL the search is compiled once (``prepared_list_filters``) and run with
    each request's school, domain and term: each gets what the full query path gives it."""
    # given: the same term in two schools' catalogs
    ours = _forklift_catalog(school, domain, matches=4)
    their_domain = DomainFactory(school=other_school, name="learn.other.example")
    theirs = _forklift_catalog(other_school, their_domain, matches=2)
    ours_url = f"{_base(domain)}/published-courses"
    theirs_url = f"{_base(their_domain)}/published-courses"

    # when
    mine = api_client.get(ours_url, {"search": "forklift", "page_size": 3})
    mine_full = api_client.get(
        ours_url, {"search": "forklift", "page_size": 3, "updated_since": "2000-01-01T00:00:00Z"}
    )
    other = other_api_client.get(theirs_url, {"search": "forklift"})
    across = api_client.get(theirs_url, {"search": "forklift"})
    missing = api_client.get("/api/v1/domains/nowhere.example/published-courses?search=x")

    # then
    assert mine.json()["count"] == 4
    assert {row["id"] for row in mine.json()["results"]} <= {p.id for p in ours}
    assert mine.json()["results"] == mine_full.json()["results"]
    assert {row["id"] for row in other.json()["results"]} == {p.id for p in theirs}
    assert across.status_code == 404
    assert missing.status_code == 404
    if connection.vendor == "postgresql":
        page, _ = PublishedCourseViewSet._prepared_statements()
        assert any(v[1] == ("search",) for v in page._compiled[connections["default"]])
