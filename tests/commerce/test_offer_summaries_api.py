"""The seed's ``offer`` summary on published courses and published paths: null without an
offer, read in the same statement as the page (constant query counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CourseSeriesFactory,
    DomainFactory,
    LessonFactory,
    OfferFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(school):
    return DomainFactory(school=school, name="learn.alpha.test")


def _summary(offer, domain) -> dict:
    return {
        "id": offer.id,
        "registration_open": offer.registration_open,
        "registration_url": f"https://{domain.name}/checkout/{offer.id}",
        "price": {"amount": "100.00", "currency_code": "USD"},
    }


def test_published_course_list_and_read_show_the_offer_or_null(api_client, school, domain):
    # given
    priced = PublishedCourseFactory(school=school, domain=domain)
    offer = OfferFactory(school=school, published_course=priced, price_cents=10000)
    free_of_offers = PublishedCourseFactory(school=school, domain=domain)
    base = f"/api/v1/domains/{domain.name}/published-courses"

    # when
    rows = {row["id"]: row for row in api_client.get(base).json()["results"]}
    searchable = api_client.get(base, {"include_searchable_content": "true"}).json()["results"]
    read = api_client.get(f"{base}/{priced.id}").json()
    read_searchable = api_client.get(
        f"{base}/{priced.id}", {"include_searchable_content": "true"}
    ).json()

    # then
    assert rows[priced.id]["offer"] == _summary(offer, domain)
    assert rows[free_of_offers.id]["offer"] is None
    assert {row["id"]: row["offer"] for row in searchable} == {
        priced.id: _summary(offer, domain),
        free_of_offers.id: None,
    }
    assert read["offer"] == read_searchable["offer"] == _summary(offer, domain)


def test_course_series_published_courses_show_the_offer(api_client, school, domain):
    series = CourseSeriesFactory(school=school, domain=domain)
    priced = PublishedCourseFactory(school=school, domain=domain, course_series=series)
    offer = OfferFactory(school=school, published_course=priced)

    response = api_client.get(
        f"/api/v1/domains/{domain.name}/course-series/{series.id}/published-courses"
    )

    assert response.json()["results"][0]["offer"] == _summary(offer, domain)


def test_published_path_list_and_read_show_the_offer_or_null(api_client, school, domain):
    priced = PublishedPathFactory(school=school, domain=domain)
    offer = OfferFactory(
        school=school, published_course=None, published_path=priced, registration_open=False
    )
    bare = PublishedPathFactory(school=school, domain=domain)
    base = f"/api/v1/domains/{domain.name}/published-paths"

    rows = {row["id"]: row for row in api_client.get(base).json()["results"]}
    read = api_client.get(f"{base}/{priced.id}").json()

    expected = {**_summary(offer, domain), "registration_open": False}
    assert rows[priced.id]["offer"] == expected
    assert rows[bare.id]["offer"] is None
    assert read["offer"] == expected


@pytest.mark.parametrize("searchable", [False, True])
def test_published_course_lists_with_offers_run_constant_queries(
    api_client, school, domain, searchable
):
    # given: every publication priced
    for _ in range(3):
        published = PublishedCourseFactory(school=school, domain=domain)
        LessonFactory(school=school, course=published.course)
        OfferFactory(school=school, published_course=published)
    url = f"/api/v1/domains/{domain.name}/published-courses"
    query = {"include_searchable_content": "true"} if searchable else {}
    api_client.get(url, query)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, {**query, "page_size": 1})

    # when
    with CaptureQueriesContext(connection) as three:
        response = api_client.get(url, {**query, "page_size": 3})

    # then
    assert all(row["offer"] is not None for row in response.json()["results"])
    assert len(three.captured_queries) == len(one.captured_queries)


def test_published_path_list_with_offers_runs_constant_queries(api_client, school, domain):
    for _ in range(3):
        OfferFactory(
            school=school,
            published_course=None,
            published_path=PublishedPathFactory(school=school, domain=domain),
        )
    url = f"/api/v1/domains/{domain.name}/published-paths"
    api_client.get(url)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, {"page_size": 1})

    with CaptureQueriesContext(connection) as three:
        response = api_client.get(url, {"page_size": 3})

    assert all(row["offer"] is not None for row in response.json()["results"])
    assert len(three.captured_queries) == len(one.captured_queries)
