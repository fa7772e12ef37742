"""Staff publish, unpublish and build paths in the admin, through the catalog's services."""

import pytest

from apps.catalog.models import Bundle, PathItem, PublishedCourse
from apps.core.models import Event
from tests.conftest import admin_inline_data
from tests.factories import (
    BundleFactory,
    CourseFactory,
    DomainFactory,
    PathFactory,
    PathItemFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db


def test_adding_a_published_course_in_the_admin_publishes_it(staff_client, school):
    # given
    domain = DomainFactory(school=school)
    course = CourseFactory(school=school)

    # when
    response = staff_client.post(
        "/admin/catalog/publishedcourse/add/",
        {"domain": domain.pk, "course": course.pk, "slug": "", "timezone": "UTC"},
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    published = PublishedCourse.objects.get()
    assert published.slug == course.slug
    assert Event.objects.filter(school=school, type="course.published").count() == 1


def test_deleting_a_published_course_in_the_admin_unpublishes_it(staff_client, school):
    published = PublishedCourseFactory(school=school)

    response = staff_client.post(
        f"/admin/catalog/publishedcourse/{published.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not PublishedCourse.objects.exists()
    assert Event.objects.filter(school=school, type="course.unpublished").count() == 1


def test_admin_cannot_publish_another_schools_course(staff_client, school, other_school):
    response = staff_client.post(
        "/admin/catalog/publishedcourse/add/",
        {
            "domain": DomainFactory(school=school).pk,
            "course": CourseFactory(school=other_school).pk,
            "timezone": "UTC",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert not PublishedCourse.objects.exists()


def test_path_items_added_inline_are_ordered_through_the_service(staff_client, school):
    # given
    path = PathFactory(school=school, title="Ops", slug="ops")
    first, second = CourseFactory(school=school), CourseFactory(school=school)

    # when
    response = staff_client.post(
        f"/admin/catalog/path/{path.pk}/change/",
        {
            "title": "Ops",
            "slug": "ops",
            "short_description": "",
            "long_description_html": "",
            "search_keywords": "",
            **admin_inline_data(
                "items",
                [
                    {"course": first.pk, "order": "1", "slug": "a"},
                    {"course": second.pk, "order": "1", "slug": "b"},
                ],
            ),
        },
    )

    # then: the second went in at position 1, moving the first down
    assert response.status_code == 302, response.content[:3000]
    assert list(PathItem.objects.order_by("order").values_list("course_id", "order")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]


def test_path_items_changed_and_removed_inline_go_through_the_service(staff_client, school):
    # given three items; the admin moves the third up, renames the first, removes the second
    path = PathFactory(school=school, title="Ops", slug="ops")
    items = [PathItemFactory(school=school, path=path, slug=f"s{n}") for n in range(3)]
    rows = [
        {"id": item.pk, "path": path.pk, "course": item.course_id, "order": str(n), "slug": slug}
        for n, (item, slug) in enumerate(zip(items, ["renamed", "s1", "s2"], strict=True), 1)
    ]
    rows[1]["DELETE"] = "on"
    rows[2]["order"] = "1"

    # when
    response = staff_client.post(
        f"/admin/catalog/path/{path.pk}/change/",
        {
            "title": "Ops",
            "slug": "ops",
            "short_description": "",
            "long_description_html": "",
            "search_keywords": "",
            **admin_inline_data("items", rows, initial=3),
        },
    )

    # then
    assert response.status_code == 302, response.content[:3000]
    assert list(PathItem.objects.order_by("order").values_list("id", "slug", "order")) == [
        (items[2].pk, "s2", 1),
        (items[0].pk, "renamed", 2),
    ]


def test_bundle_added_in_the_admin_goes_through_the_service(staff_client, school):
    course = CourseFactory(school=school)

    response = staff_client.post(
        "/admin/catalog/bundle/add/",
        {
            "title": "Pack",
            "description": "",
            "courses": [course.pk],
            "price": "10.50",
            "currency_code": "EUR",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    bundle = Bundle.objects.get()
    assert list(bundle.courses.all()) == [course]
    assert (bundle.price_cents, bundle.currency_code) == (1050, "EUR")


@pytest.mark.parametrize(
    ("price", "currency"), [("10.5", "JPY"), ("10.00", ""), ("", "EUR"), ("-1", "EUR")]
)
def test_a_bundle_price_the_currency_cannot_hold_is_a_form_error(
    staff_client, school, price, currency
):
    response = staff_client.post(
        "/admin/catalog/bundle/add/",
        {"title": "Pack", "description": "", "price": price, "currency_code": currency},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["price"]
    assert not Bundle.objects.exists()


def test_a_bundles_price_is_shown_in_its_currency_on_the_change_form(staff_client, school):
    bundle = BundleFactory(school=school, price_cents=1500, currency_code="JPY")

    response = staff_client.get(f"/admin/catalog/bundle/{bundle.pk}/change/")

    assert response.status_code == 200
    assert response.context["adminform"].form.initial["price"] == "1500"


def test_publishing_a_course_twice_in_the_admin_is_shown_on_the_form(staff_client, school):
    # given
    published = PublishedCourseFactory(school=school)

    # when
    response = staff_client.post(
        "/admin/catalog/publishedcourse/add/",
        {"domain": published.domain_id, "course": published.course_id, "timezone": "UTC"},
    )

    # then
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "already" in str(errors)
    assert PublishedCourse.objects.count() == 1
    assert not Event.objects.filter(school=school, type="course.published").exists()


def test_a_bad_time_zone_in_the_admin_is_a_form_error(staff_client, school):
    response = staff_client.post(
        "/admin/catalog/publishedcourse/add/",
        {
            "domain": DomainFactory(school=school).pk,
            "course": CourseFactory(school=school).pk,
            "timezone": "Mars/Olympus",
        },
    )

    assert response.status_code == 200
    assert "timezone" in response.context["adminform"].form.errors
    assert not PublishedCourse.objects.exists()
