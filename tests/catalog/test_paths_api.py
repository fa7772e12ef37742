import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from apps.catalog.models import Bundle, LessonType, Path, PathItem
from tests.conftest import make_client
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


# --- moving and removing path items ----------------------------------------------------------


def _path_of(school, count: int) -> tuple[Path, list[PathItem]]:
    path = PathFactory(school=school)
    return path, [PathItemFactory(school=school, path=path) for _ in range(count)]


def _positions(path: Path) -> dict[str, int]:
    return dict(PathItem.objects.filter(path=path).values_list("id", "order"))


@pytest.mark.parametrize(
    ("moved", "order", "expected"),
    [(3, 1, [3, 0, 1, 2]), (0, 3, [1, 2, 0, 3]), (1, 4, [0, 2, 3, 1]), (2, 3, [0, 1, 2, 3])],
)
def test_patch_order_moves_a_path_item_keeping_positions_gap_free(
    api_client, school, moved, order, expected
):
    # given four items at 1..4; ``expected`` lists the items (by index) in their new order
    path, items = _path_of(school, 4)

    # when
    response = api_client.patch(
        f"/api/v1/paths/{path.id}/path-items/{items[moved].id}", {"order": order}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["order"] == order
    assert _positions(path) == {items[i].id: n for n, i in enumerate(expected, start=1)}


def test_a_move_marks_the_shifted_items_as_changed_for_updated_since(api_client, school):
    # given
    with freeze_time("2026-01-01T10:00:00Z"):
        path, items = _path_of(school, 4)

    # when: the last item goes first, so every item's position changes
    with freeze_time("2026-01-02T10:00:00Z"):
        api_client.patch(
            f"/api/v1/paths/{path.id}/path-items/{items[3].id}", {"order": 1}, format="json"
        )
    listed = api_client.get(
        f"/api/v1/paths/{path.id}/path-items", {"updated_since": "2026-01-02T00:00:00Z"}
    )

    # then
    assert {row["id"] for row in listed.json()["results"]} == {item.id for item in items}


def test_put_changes_a_path_items_slug_and_course_and_get_reads_it(api_client, school):
    # given
    path, items = _path_of(school, 2)
    course = CourseFactory(school=school, title="Replacement")

    # when
    put = api_client.put(
        f"/api/v1/paths/{path.id}/path-items/{items[0].id}",
        {"slug": "step-one", "course_id": course.id},
        format="json",
    )
    got = api_client.get(f"/api/v1/paths/{path.id}/path-items/{items[0].id}")

    # then
    assert put.status_code == 200, put.content
    assert got.status_code == 200
    body = got.json()
    assert (body["slug"], body["course"]["id"], body["order"]) == ("step-one", course.id, 1)


def test_delete_removes_a_path_item_and_closes_the_gap(api_client, school):
    # given
    path, items = _path_of(school, 4)

    # when
    response = api_client.delete(f"/api/v1/paths/{path.id}/path-items/{items[1].id}")

    # then
    assert response.status_code == 204
    assert _positions(path) == {items[0].id: 1, items[2].id: 2, items[3].id: 3}
    assert api_client.get(f"/api/v1/paths/{path.id}").json()["path_item_count"] == 3
    gone = api_client.delete(f"/api/v1/paths/{path.id}/path-items/{items[1].id}")
    assert gone.status_code == 404


@pytest.mark.parametrize("order", [0, 4, 100_001])
def test_moving_a_path_item_outside_the_path_is_400_naming_order(api_client, school, order):
    # given
    path, items = _path_of(school, 3)

    # when
    response = api_client.patch(
        f"/api/v1/paths/{path.id}/path-items/{items[0].id}", {"order": order}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "order" in response.json()["errors"]
    assert _positions(path) == {item.id: n for n, item in enumerate(items, start=1)}


def test_changing_a_path_item_to_a_course_the_path_has_is_409(api_client, school):
    # given
    path, items = _path_of(school, 2)

    # when
    response = api_client.patch(
        f"/api/v1/paths/{path.id}/path-items/{items[0].id}",
        {"course_id": items[1].course_id, "order": 2},
        format="json",
    )

    # then: refused whole, the move included
    assert response.status_code == 409
    assert "course_id" in response.json()["errors"]
    assert _positions(path) == {items[0].id: 1, items[1].id: 2}


def test_path_items_of_another_school_or_path_are_404(api_client, school, other_school):
    # given
    theirs = PathItemFactory(school=other_school)
    mine, _ = _path_of(school, 1)
    url = f"/api/v1/paths/{theirs.path_id}/path-items/{theirs.id}"
    crossed = f"/api/v1/paths/{mine.id}/path-items/{theirs.id}"

    # when
    answers = [
        api_client.get(url),
        api_client.patch(url, {"order": 1}, format="json"),
        api_client.delete(url),
        api_client.delete(crossed),
    ]

    # then
    assert [answer.status_code for answer in answers] == [404] * 4
    assert PathItem.objects.filter(pk=theirs.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_moves_and_removals_keep_path_positions_gap_free(api_key, school):
    # given a path of eight courses, and fifteen requests released at once: additions at
    # the top, moves to random places and removals
    secret = api_key[1]
    path, items = _path_of(school, 8)
    courses = [CourseFactory(school=school) for _ in range(5)]
    workers = 15
    barrier = threading.Barrier(workers)
    statuses: list[int] = []

    def send(n: int) -> None:
        client = make_client(secret)
        url = f"/api/v1/paths/{path.id}/path-items"
        try:
            barrier.wait(timeout=10)
            if n % 3 == 0:
                response = client.post(
                    url, {"course_id": courses[n // 3].id, "order": 1}, format="json"
                )
            elif n % 3 == 1:
                item = items[n // 3]
                response = client.patch(f"{url}/{item.id}", {"order": 1 + n % 4}, format="json")
            else:
                response = client.delete(f"{url}/{items[5 + n // 6].id}")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every request succeeded, except the second removal of an item already removed,
    # and the positions are exactly 1..n
    assert sorted(statuses) == [200] * 5 + [201] * 5 + [204] * 3 + [404] * 2
    orders = sorted(PathItem.objects.filter(path=path).values_list("order", flat=True))
    assert orders == list(range(1, 8 + 5 - 3 + 1))


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
    bundle = BundleFactory(school=school, price_cents=500, currency_code="EUR")
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


def test_bundle_price_is_kept_in_the_currencys_own_minor_units(api_client, school):
    # when
    yen = api_client.post(
        "/api/v1/bundles",
        {"title": "Yen", "price": {"amount": "1500", "currency_code": "JPY"}},
        format="json",
    )
    dinar = api_client.post(
        "/api/v1/bundles",
        {"title": "Dinar", "price": {"amount": "12.345", "currency_code": "KWD"}},
        format="json",
    )

    # then
    assert yen.status_code == dinar.status_code == 201
    assert yen.json()["price"] == {"amount": "1500", "currency_code": "JPY"}
    assert dinar.json()["price"] == {"amount": "12.345", "currency_code": "KWD"}
    assert Bundle.objects.get(pk=yen.json()["id"]).price_cents == 1500
    assert Bundle.objects.get(pk=dinar.json()["id"]).price_cents == 12345


@pytest.mark.parametrize(
    "price",
    [
        {"amount": "1.00", "currency_code": "usd"},
        {"amount": -1, "currency_code": "USD"},
        {"amount": "-1.00", "currency_code": "USD"},
        {"amount": 12.5, "currency_code": "USD"},
        {"amount": "1.005", "currency_code": "USD"},
        {"amount": "10.5", "currency_code": "JPY"},
        {"amount": "1.00"},
        12.5,
    ],
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
