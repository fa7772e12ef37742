import pytest

from apps.catalog.models import Course, Label
from apps.core.models import Event
from tests.factories import CourseFactory, LessonFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

SEED_REQUEST = {
    "enforce_sequential_navigation": False,
    "long_description_html": "This is a description",
    "short_description": "Short Description",
    "title": "This is a title",
    "labels": ["Car Talk", "Happy Days"],
}


def test_create_course_answers_the_seed_shape(api_client):
    # when
    response = api_client.post("/api/v1/courses", SEED_REQUEST, format="json")

    # then every field of Skilljar's example comes back as sent
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("crs_")
    for name, value in SEED_REQUEST.items():
        assert body[name] == value
    assert body["slug"] == "this-is-a-title"
    assert body["total_lessons"] == 0
    assert body["instructor"] is None


def test_create_course_without_a_required_seed_field_is_400_naming_it(api_client):
    for missing in ("title", "short_description", "enforce_sequential_navigation"):
        body = {key: value for key, value in SEED_REQUEST.items() if key != missing}

        response = api_client.post("/api/v1/courses", body, format="json")

        assert response.status_code == 400
        assert missing in response.json()["errors"]
    assert not Course.objects.exists()


def test_course_html_is_sanitised_on_the_way_in(api_client):
    # when
    response = api_client.post(
        "/api/v1/courses",
        {
            **SEED_REQUEST,
            "long_description_html": (
                '<p onclick="steal()">Hi<script>alert(1)</script>'
                '<a href="javascript:alert(1)">x</a></p>'
            ),
        },
        format="json",
    )

    # then
    html = response.json()["long_description_html"]
    assert "script" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert html.startswith("<p>Hi")


def test_labels_are_shared_by_courses_regardless_of_case(api_client, school):
    # given
    api_client.post("/api/v1/courses", SEED_REQUEST, format="json")

    # when
    response = api_client.post(
        "/api/v1/courses",
        {**SEED_REQUEST, "title": "Other", "labels": ["car talk", "New"]},
        format="json",
    )

    # then the first spelling is kept and reused
    assert response.json()["labels"] == ["Car Talk", "New"]
    assert Label.objects.filter(school=school).count() == 3
    listed = api_client.get("/api/v1/labels").json()
    assert [label["name"] for label in listed["results"]] == ["Car Talk", "Happy Days", "New"]


def test_course_labels_route_lists_only_that_courses_labels(api_client):
    # given
    first = api_client.post("/api/v1/courses", SEED_REQUEST, format="json").json()
    api_client.post(
        "/api/v1/courses", {**SEED_REQUEST, "title": "B", "labels": ["Other"]}, format="json"
    )

    # when
    response = api_client.get(f"/api/v1/courses/{first['id']}/labels")

    # then
    assert response.status_code == 200
    assert [label["name"] for label in response.json()["results"]] == ["Car Talk", "Happy Days"]


def test_put_is_a_partial_update_and_emits_course_updated(api_client, school):
    # given
    course = api_client.post("/api/v1/courses", SEED_REQUEST, format="json").json()

    # when
    response = api_client.put(
        f"/api/v1/courses/{course['id']}", {"title": "Renamed", "labels": []}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Renamed"
    assert body["short_description"] == "Short Description"
    assert body["labels"] == []
    event = Event.objects.filter(school=school, type="course.updated").get()
    assert event.payload["title"] == "Renamed"


def test_update_that_changes_nothing_emits_nothing(api_client, school):
    course = api_client.post("/api/v1/courses", SEED_REQUEST, format="json").json()

    response = api_client.patch(
        f"/api/v1/courses/{course['id']}", {"title": SEED_REQUEST["title"]}, format="json"
    )

    assert response.status_code == 200
    assert not Event.objects.filter(school=school, type="course.updated").exists()


def test_slug_is_unique_in_the_school_in_any_case(api_client, other_api_client):
    # given
    api_client.post("/api/v1/courses", {**SEED_REQUEST, "slug": "intro"}, format="json")

    # when
    taken = api_client.post("/api/v1/courses", {**SEED_REQUEST, "slug": "INTRO"}, format="json")
    elsewhere = other_api_client.post(
        "/api/v1/courses", {**SEED_REQUEST, "slug": "intro"}, format="json"
    )

    # then
    assert taken.status_code == 409
    assert taken.json()["code"] == "course_slug_taken"
    assert elsewhere.status_code == 201


def test_slug_made_from_a_title_already_used_is_numbered(api_client):
    first = api_client.post("/api/v1/courses", SEED_REQUEST, format="json").json()
    second = api_client.post("/api/v1/courses", SEED_REQUEST, format="json").json()

    assert (first["slug"], second["slug"]) == ("this-is-a-title", "this-is-a-title-2")


def test_learnflow_catalogue_fields_and_filters(api_client, school):
    # given
    teacher = MemberFactory(school=school, user=UserFactory(first_name="Ada", last_name="Chen"))
    created = api_client.post(
        "/api/v1/courses",
        {
            **SEED_REQUEST,
            "title": "Web Development",
            "category": "Development",
            "level": "Beginner",
            "instructor_id": teacher.user_id,
            "thumbnail_url": "https://cdn.example.com/thumb.jpg",
            "duration_hours": "42.5",
        },
        format="json",
    ).json()
    CourseFactory(school=school, category="Design", level="advanced")
    course = Course.objects.get(pk=created["id"])
    LessonFactory(school=school, course=course, type="SECTION")
    LessonFactory(school=school, course=course)
    LessonFactory(school=school, course=course)

    # when
    by_category = api_client.get("/api/v1/courses?category=development").json()
    by_level = api_client.get("/api/v1/courses?level=beginner").json()
    by_teacher = api_client.get(f"/api/v1/courses?instructor_id={teacher.user_id}").json()
    by_search = api_client.get("/api/v1/courses?search=web").json()

    # then
    for page in (by_category, by_level, by_teacher, by_search):
        assert [row["id"] for row in page["results"]] == [created["id"]]
    row = by_category["results"][0]
    assert row["level"] == "beginner"
    assert row["instructor"] == {"id": teacher.user_id, "name": "Ada Chen"}
    assert row["duration_hours"] == 42.5
    assert row["total_lessons"] == 2  # the section heading is not a lesson


def test_unknown_level_filter_is_400(api_client):
    response = api_client.get("/api/v1/courses?level=expert")

    assert response.status_code == 400
    assert "level" in response.json()["errors"]


def test_instructor_from_another_school_does_not_exist(api_client, other_school):
    stranger = MemberFactory(school=other_school)

    response = api_client.post(
        "/api/v1/courses", {**SEED_REQUEST, "instructor_id": stranger.user_id}, format="json"
    )

    assert response.status_code == 400
    assert "instructor_id" in response.json()["errors"]


def test_another_schools_course_is_404(api_client, other_school):
    course = CourseFactory(school=other_school)

    for path in ("", "/labels", "/contents"):
        assert api_client.get(f"/api/v1/courses/{course.id}{path}").status_code == 404
    assert (
        api_client.patch(f"/api/v1/courses/{course.id}", {"title": "x"}, format="json").status_code
        == 404
    )
    assert (
        api_client.post(
            f"/api/v1/courses/{course.id}/sections", {"title": "x"}, format="json"
        ).status_code
        == 404
    )
    assert Course.objects.get(pk=course.pk).title != "x"


def test_a_learners_token_cannot_author_courses(user_client):
    assert user_client.get("/api/v1/courses").status_code == 403
    assert user_client.post("/api/v1/courses", SEED_REQUEST, format="json").status_code == 403


def test_course_list_runs_a_constant_number_of_queries(
    api_client, school, django_assert_max_num_queries
):
    for _ in range(3):
        LessonFactory(school=school)
    with django_assert_max_num_queries(8) as few:
        api_client.get("/api/v1/courses?page_size=2")
    for _ in range(6):
        course = CourseFactory(school=school)
        course.labels.set([Label.objects.create(school=school, name=f"L{course.id}")])
        LessonFactory(school=school, course=course)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get("/api/v1/courses?page_size=9")

    assert len(response.json()["results"]) == 9
