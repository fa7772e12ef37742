import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Bundle, LessonType, Path, PathItem
from tests.factories import (
    BundleFactory,
    CourseFactory,
    LessonFactory,
    PathFactory,
    PathItemFactory,
)

pytestmark = pytest.mark.django_db


def test_create_path_answers_the_seed_fields(api_client):
    # when
    response = api_client.post(
        "/api/v1/paths",
        {"title": "Warehouse Basics", "short_description": "Start here.", "labels": ["Safety"]},
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("pth_")
    assert body["title"] == "Warehouse Basics"
    assert body["path_item_count"] == 0
    assert body["slug"] == "warehouse-basics"
    assert body["labels"] == ["Safety"]


def test_list_paths_counts_items_in_a_page_of_100(api_client, school):
    # given
    path = PathFactory(school=school)
    PathItemFactory(school=school, path=path)
    PathItemFactory(school=school, path=path)

    # when
    response = api_client.get("/api/v1/paths")

    # then
    body = response.json()
    assert body["count"] == 1
    assert {k: body["results"][0][k] for k in ("id", "title", "path_item_count")} == {
        "id": path.id,
        "title": path.title,
        "path_item_count": 2,
    }
    assert api_client.get("/api/v1/paths", {"page_size": 5000}).json()["count"] == 1


def test_update_path_is_partial_with_put_and_patch(api_client, school):
    # given
    path = PathFactory(school=school, short_description="Old")

    # when
    put = api_client.put(f"/api/v1/paths/{path.id}", {"title": "New"}, format="json")
    patch = api_client.patch(
        f"/api/v1/paths/{path.id}",
        {"long_description_html": "<b>x</b><script>1</script>"},
        format="json",
    )

    # then
    assert put.status_code == patch.status_code == 200
    path.refresh_from_db()
    assert (path.title, path.short_description) == ("New", "Old")
    assert "script" not in path.long_description_html


def test_path_slug_taken_in_any_case_is_409_naming_slug(api_client, school):
    PathFactory(school=school, slug="forklifts")

    response = api_client.post("/api/v1/paths", {"title": "x", "slug": "Forklifts"}, format="json")

    assert response.status_code == 409
    assert "slug" in response.json()["errors"]


def test_path_items_answer_the_seed_shape_with_lesson_counts(api_client, school):
    # given: 3 lessons, one optional, one in an optional section, and two headings
    course = CourseFactory(school=school, title="Test Path Course 1", slug="test-path-1")
    LessonFactory(school=school, course=course)
    LessonFactory(school=school, course=course, optional=True)
    LessonFactory(school=school, course=course, type=LessonType.SECTION, optional=True)
    LessonFactory(school=school, course=course)
    LessonFactory(school=school, course=course, type=LessonType.SECTION)
    LessonFactory(school=school, course=course)
    path = PathFactory(school=school)

    # when
    created = api_client.post(
        f"/api/v1/paths/{path.id}/path-items", {"course_id": course.id}, format="json"
    )
    listed = api_client.get(f"/api/v1/paths/{path.id}/path-items")

    # then
    assert created.status_code == 201, created.content
    item = listed.json()["results"][0]
    assert item == {
        "id": created.json()["id"],
        "slug": "test-path-1",
        "course": {
            "id": course.id,
            "title": "Test Path Course 1",
            "lesson_count": 4,
            "required_lesson_count": 2,
        },
        "order": 1,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }


def test_path_item_added_at_a_position_moves_later_items_down(api_client, school):
    # given
    path = PathFactory(school=school)
    first, second = (
        PathItemFactory(school=school, path=path),
        PathItemFactory(school=school, path=path),
    )
    course = CourseFactory(school=school)

    # when
    response = api_client.post(
        f"/api/v1/paths/{path.id}/path-items", {"course_id": course.id, "order": 1}, format="json"
    )

    # then
    assert response.status_code == 201
    orders = dict(PathItem.objects.filter(path=path).values_list("id", "order"))
    assert orders == {response.json()["id"]: 1, first.id: 2, second.id: 3}


def test_path_item_position_past_the_end_is_400_naming_order(api_client, school):
    path = PathFactory(school=school)

    response = api_client.post(
        f"/api/v1/paths/{path.id}/path-items",
        {"course_id": CourseFactory(school=school).id, "order": 2},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "order_out_of_range"
    assert "order" in response.json()["errors"]


def test_same_course_twice_in_a_path_is_409(api_client, school):
    item = PathItemFactory(school=school)

    response = api_client.post(
        f"/api/v1/paths/{item.path_id}/path-items", {"course_id": item.course_id}, format="json"
    )

    assert response.status_code == 409
    assert "course_id" in response.json()["errors"]
    assert PathItem.objects.count() == 1


def test_other_schools_course_in_a_path_is_400_does_not_exist(api_client, school, other_school):
    path = PathFactory(school=school)

    response = api_client.post(
        f"/api/v1/paths/{path.id}/path-items",
        {"course_id": CourseFactory(school=other_school).id},
        format="json",
    )

    assert response.status_code == 400
    assert "does not exist" in str(response.json()["errors"]["course_id"])


def test_other_schools_path_is_404(api_client, other_school):
    path = PathFactory(school=other_school)

    assert api_client.get(f"/api/v1/paths/{path.id}").status_code == 404
    assert api_client.get(f"/api/v1/paths/{path.id}/path-items").status_code == 404


def test_path_items_list_runs_constant_queries(api_client, school):
    # given
    path = PathFactory(school=school)
    for _ in range(4):
        item = PathItemFactory(school=school, path=path)
        LessonFactory(school=school, course=item.course)
    url = f"/api/v1/paths/{path.id}/path-items"
    api_client.get(url)
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, {"page_size": 1})

    # when
    with CaptureQueriesContext(connection) as four:
        response = api_client.get(url, {"page_size": 4})

    # then
    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# --- bundles ---------------------------------------------------------------------------------


def test_create_bundle_with_courses_and_a_price(api_client, school):
    # given
    one, two = CourseFactory(school=school, title="A"), CourseFactory(school=school, title="B")

    # when
    response = api_client.post(
        "/api/v1/bundles",
        {
            "title": "Starter pack",
            "description": "Both courses.",
            "course_ids": [two.id, one.id],
            "price": {"amount": "100.00", "currency_code": "USD"},
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("bnd_")
    assert body["courses"] == [{"id": one.id, "title": "A"}, {"id": two.id, "title": "B"}]
    assert body["price"] == {"amount": "100.00", "currency_code": "USD"}


def test_bundle_price_null_takes_it_off_sale_and_course_ids_replace(api_client, school):
    # given
    bundle = BundleFactory(school=school, price_amount="5.00", currency_code="EUR")
    bundle.courses.add(CourseFactory(school=school))
    course = CourseFactory(school=school, title="Only")

    # when
    response = api_client.patch(
        f"/api/v1/bundles/{bundle.id}", {"price": None, "course_ids": [course.id]}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["price"] is None
    assert response.json()["courses"] == [{"id": course.id, "title": "Only"}]


@pytest.mark.parametrize(
    "price",
    [{"amount": "1.00", "currency_code": "usd"}, {"amount": -1, "currency_code": "USD"}, 12.5],
)
def test_bad_bundle_price_is_400_naming_price(api_client, price):
    response = api_client.post("/api/v1/bundles", {"title": "x", "price": price}, format="json")

    assert response.status_code == 400
    assert any(key.startswith("price") for key in response.json()["errors"])
    assert not Bundle.objects.exists()


def test_other_schools_course_in_a_bundle_is_400(api_client, other_school):
    response = api_client.post(
        "/api/v1/bundles",
        {"title": "x", "course_ids": [CourseFactory(school=other_school).id]},
        format="json",
    )

    assert response.status_code == 400
    assert "does not exist" in str(response.json()["errors"])


def test_bundles_list_runs_constant_queries(api_client, school):
    for _ in range(3):
        BundleFactory(school=school).courses.add(CourseFactory(school=school))
    api_client.get("/api/v1/bundles")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/bundles", {"page_size": 1})

    with CaptureQueriesContext(connection) as three:
        response = api_client.get("/api/v1/bundles", {"page_size": 3})

    assert len(response.json()["results"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_path_model_is_the_programs_resource():
    # Coursepath's programs are paths: the docs say so, and no separate model exists.
    assert Path._meta.verbose_name == "path"
