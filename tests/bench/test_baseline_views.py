from datetime import datetime

import pytest
from django.core.management import call_command

from apps.catalog.services.lessons import lesson_create
from apps.catalog.services.publishing import course_publish
from apps.commerce.services.offers import offer_create
from apps.schools.services.people import user_create
from apps.schools.services.schools import api_key_create
from bench.run import results_differ
from bench.scenarios import BENCH_COURSE_ID, BENCH_COURSES_LEARNER_ID
from tests.conftest import make_client
from tests.factories import CourseFactory, DomainFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

USERS_PAGE = "/api/v1/users?page_size=2&page=2"
BASELINE_PAGE = "/bench/users?school=alpha&page_size=2&page=2"


def _same_instants(item: dict) -> dict:
    """The item with its timestamps parsed, so formatting differences do not count."""
    return {
        **item,
        "created_at": datetime.fromisoformat(item["created_at"]),
        "updated_at": datetime.fromisoformat(item["updated_at"]),
    }


def test_baseline_routes_are_absent_without_the_bench_flag(client):
    response = client.get("/bench/ping")

    assert response.status_code == 404


@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_ping_answers_ok(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/bench/ping")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_users_returns_the_api_page_in_one_query(
    school, other_school, api_client, client, django_assert_num_queries
):
    # given
    for n in range(5):
        user_create(
            school=school,
            email=f"person{n}@alpha.test",
            first_name=f"P{n}",
            tags=["b-tag", "a-tag"] if n % 2 else [],
            metadata={"n": n},
        )
    user_create(school=other_school, email="outsider@beta.test")
    api = api_client.get(USERS_PAGE).json()

    # when
    with django_assert_num_queries(1):
        response = client.get(BASELINE_PAGE)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == api["count"] == 5
    assert [_same_instants(item) for item in body["results"]] == [
        _same_instants(item) for item in api["results"]
    ]
    assert body["next"].endswith("/bench/users?page=3&page_size=2")
    assert body["previous"].endswith("/bench/users?page=1&page_size=2")


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_me_describes_the_key_like_the_api(api_client, django_assert_num_queries):
    # given
    api = api_client.get("/api/v1/me").json()

    # when
    with django_assert_num_queries(1):
        response = api_client.get("/bench/me")

    # then
    assert response.status_code == 200
    body = response.json()
    body["api_key"]["created_at"] = datetime.fromisoformat(body["api_key"]["created_at"])
    api["api_key"]["created_at"] = datetime.fromisoformat(api["api_key"]["created_at"])
    assert body == api


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_me_refuses_an_unknown_key(client):
    response = client.get("/bench/me", HTTP_AUTHORIZATION="Bearer sk_live_nope")

    assert response.status_code == 401


@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_contents_returns_the_api_tree_in_one_query(
    school, api_key, api_client, django_assert_num_queries
):
    # given the benchmark's course (here 50 × 20) and the school's key
    call_command("seed_bench_catalog", "--id", BENCH_COURSE_ID, "--school", school.slug)
    api = api_client.get(f"/api/v1/courses/{BENCH_COURSE_ID}/contents").json()

    # when
    with django_assert_num_queries(1):
        response = make_client(api_key[1]).get(f"/bench/contents?course={BENCH_COURSE_ID}")

    # then the same sections and lessons (instants compared as instants)
    body = response.json()
    assert len(body["sections"]) == 50
    assert sum(len(section["lessons"]) for section in body["sections"]) == 1000
    assert [
        {**section, "lessons": [_same_instants(lesson) for lesson in section["lessons"]]}
        for section in body["sections"]
    ] == [
        {**section, "lessons": [_same_instants(lesson) for lesson in section["lessons"]]}
        for section in api["sections"]
    ]


def _search_catalog(school, other_school) -> None:
    """Courses on learn.example.com finding "forklift" in a title, a description and a lesson
    (that one with an offer), two that do not, and the same words on another school's
    domain."""
    domain = DomainFactory(school=school, name="learn.example.com")
    for title, short in (
        ("Forklift basics", "Driving"),
        ("Loading bays", "Where forklifts work"),
        ("Forklift refresher", "Again"),
        ("Cranes", "Lifting"),
        ("Rigging", "Slings"),
    ):
        course = CourseFactory(school=school, title=title, short_description=short)
        course_publish(domain=domain, course=course)
    in_lesson = course_publish(domain=domain, course=CourseFactory(school=school, title="Docks"))
    lesson_create(course=in_lesson.course, type="HTML", title="Moving pallets by forklift")
    # one of them priced: the floor reads the offer in its one statement, as the API does
    offer_create(school=school, published_course=in_lesson, price_cents=4900, currency_code="USD")
    foreign = DomainFactory(school=other_school, name="other.example.com")
    course_publish(domain=foreign, course=CourseFactory(school=other_school, title="Forklift"))


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
@pytest.mark.parametrize("page", ["page_size=100", "page_size=2&page=2"])
def test_baseline_search_returns_the_api_page_in_one_query(
    school, other_school, api_key, api_client, django_assert_num_queries, page
):
    # given
    _search_catalog(school, other_school)
    api = api_client.get(
        f"/api/v1/domains/learn.example.com/published-courses?search=forklift&{page}"
    ).json()

    # when
    with django_assert_num_queries(1):
        response = make_client(api_key[1]).get(
            f"/bench/published-courses?domain=learn.example.com&search=forklift&{page}"
        )

    # then the same count and the same rows in the same order
    body = response.json()
    assert body["count"] == api["count"] == 4
    assert body["results"]
    assert [_same_instants(row) for row in body["results"]] == [
        _same_instants(row) for row in api["results"]
    ]
    assert (body["next"] is None) == (api["next"] is None)
    assert (body["previous"] is None) == (api["previous"] is None)


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_search_finds_nothing_on_another_schools_domain(school, other_school, api_key):
    # given
    _search_catalog(school, other_school)

    # when
    response = make_client(api_key[1]).get(
        "/bench/published-courses?domain=other.example.com&search=forklift"
    )

    # then
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def _learner_with_courses(school) -> None:
    """The benchmark's learner in 12 courses (not started, part way, complete, renewed,
    optional sections and lessons, redirects), plus a course without progress rows."""
    DomainFactory(school=school, name="learn.example.com")
    call_command(
        "seed_bench_user_courses",
        "--user-id",
        BENCH_COURSES_LEARNER_ID,
        "--courses",
        "12",
        "--school",
        school.slug,
    )
    EnrollmentFactory(school=school, user_id=BENCH_COURSES_LEARNER_ID)


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
@pytest.mark.parametrize("page", ["page_size=1000", "page_size=5&page=2"])
def test_baseline_user_published_courses_returns_the_api_page_in_one_query(
    school, api_key, api_client, django_assert_num_queries, page
):
    # given
    _learner_with_courses(school)
    api = api_client.get(f"/api/v1/users/{BENCH_COURSES_LEARNER_ID}/published-courses?{page}")

    # when
    with django_assert_num_queries(1):
        response = make_client(api_key[1]).get(
            f"/bench/user-published-courses?user={BENCH_COURSES_LEARNER_ID}&{page}"
        )

    # then the same count and the same rows (summaries included) in the same order
    body = response.json()
    assert body["count"] == api.json()["count"] == 13
    assert results_differ(api.content, response.content) is None
    progress = [row["course_progress"] for row in body["results"]]
    if page == "page_size=1000":
        assert None in progress
        assert {p["status"] for p in progress if p} == {"not_started", "in_progress", "completed"}
        assert any(p["required_lessons"] < p["total_lessons"] for p in progress if p)
        assert any(p["completion_redirect"] for p in progress if p)
    assert (body["next"] is None) == (api.json()["next"] is None)
    assert (body["previous"] is None) == (api.json()["previous"] is None)


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_user_published_courses_shows_nothing_to_another_school(school, other_school):
    # given
    _learner_with_courses(school)
    secret = api_key_create(school=other_school, name="other", scopes=["*"])[1]

    # when
    response = make_client(secret).get(
        f"/bench/user-published-courses?user={BENCH_COURSES_LEARNER_ID}"
    )

    # then
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.postgres
@pytest.mark.urls("tests.bench.baseline_urls")
def test_baseline_posts_returns_the_api_page_in_one_query(
    school, api_key, api_client, django_assert_num_queries
):
    # given a space of 25 posts with 3 comments each, one pinned, one comment hidden
    from apps.community.models import Comment, Post
    from bench.scenarios import BENCH_SPACE_ID
    from tests.factories import MemberFactory

    MemberFactory(school=school)
    call_command(
        "seed_bench_posts",
        "--id",
        BENCH_SPACE_ID,
        "--posts",
        "25",
        "--comments-per-post",
        "3",
        "--school",
        school.slug,
    )
    Post.objects.filter(pk=Post.objects.order_by("id").values("pk")[:1]).update(is_pinned=True)
    Comment.objects.filter(pk=Comment.objects.order_by("-id").values("pk")[:1]).update(
        is_hidden=True
    )
    api = api_client.get(f"/api/v1/community/posts?space_id={BENCH_SPACE_ID}")

    # when
    with django_assert_num_queries(1):
        response = make_client(api_key[1]).get(f"/bench/posts?space={BENCH_SPACE_ID}")

    # then the same count and the same rows (counts included) in the same order
    body = response.json()
    assert body["count"] == api.json()["count"] == 25
    assert results_differ(api.content, response.content) is None
    rows = body["results"]
    assert len(rows) == 10
    assert rows[0]["is_pinned"]
    assert {row["comments_count"] for row in rows} == {2, 3}
    assert all(row["reactions"]["like"] == 1 for row in rows)
