"""Every list endpoint runs the same number of SQL queries whatever the page size.

The routes come from the URL resolver and the rows from ``tests/factories.py``, so a new
list endpoint is checked without editing this file.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.core import api_routes
from tests.factories import create_owned

pytestmark = pytest.mark.django_db

ROWS = 4
LIST_ROUTES = [pytest.param(route, id=route.name) for route in api_routes.list_routes()]


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_list_query_count_is_constant_as_page_size_grows(
    route, api_client, school, django_assert_num_queries
):
    # given
    first = create_owned(route.model, school=school)
    for _ in range(ROWS - 1):
        create_owned(route.model, school=school, **route.parent_overrides(first))
    url = route.url_for(first if route.kwargs else None)
    api_client.get(url, {"page_size": 1})  # the first call also records the key's last use
    with CaptureQueriesContext(connection) as one_row:
        small = api_client.get(url, {"page_size": 1})

    # when
    with django_assert_num_queries(len(one_row.captured_queries)):
        large = api_client.get(url, {"page_size": ROWS})

    # then
    assert small.status_code == large.status_code == 200
    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) >= 2, (
        f"{route} lists fewer than 2 of the {ROWS} rows its factory made, so the query "
        "count proves nothing; make the factory's rows visible in the default list."
    )


# --- lists that are actions (their rows are not one model's), checked by hand ----------------


def _products_of(school, user) -> None:
    """Give ``user`` one product of each type through the products service."""
    from apps.commerce.selectors.products import Product
    from apps.commerce.services.products import product_enroll
    from tests.factories import (
        BundleFactory,
        CourseFactory,
        PlanCourseFactory,
        PlanFactory,
        PublishedCourseFactory,
        PublishedPathFactory,
        SubscriptionPlanFactory,
    )

    published = PublishedCourseFactory(school=school)
    plan = PlanFactory(school=school, domain=published.domain)
    PlanCourseFactory(school=school, plan=plan, course=CourseFactory(school=school))
    bundle = BundleFactory(school=school)
    bundle.courses.add(CourseFactory(school=school))
    rows = {
        "course": published,
        "path": PublishedPathFactory(school=school),
        "bundle": bundle,
        "plan": plan,
        "subscription": SubscriptionPlanFactory(school=school),
    }
    for kind, row in rows.items():
        product_enroll(school=school, user=user, product=Product(kind, row))


def test_user_products_query_count_is_constant(api_client, school, django_assert_num_queries):
    # given: a person holding five products
    from tests.factories import MemberFactory

    user = MemberFactory(school=school).user
    _products_of(school, user)
    url = f"/api/v1/users/{user.id}/products"
    api_client.get(url, {"page_size": 1})
    with CaptureQueriesContext(connection) as one_row:
        small = api_client.get(url, {"page_size": 1})

    # when
    with django_assert_num_queries(len(one_row.captured_queries)):
        large = api_client.get(url, {"page_size": 5})

    # then
    assert small.status_code == large.status_code == 200
    assert (len(small.json()["results"]), len(large.json()["results"])) == (1, 5)


def test_users_by_product_query_count_is_constant(api_client, school, django_assert_num_queries):
    # given: four people holding one course
    from apps.commerce.selectors.products import Product
    from apps.commerce.services.products import product_enroll
    from tests.factories import MemberFactory, PublishedCourseFactory

    published = PublishedCourseFactory(school=school)
    for _ in range(ROWS):
        user = MemberFactory(school=school).user
        product_enroll(school=school, user=user, product=Product("course", published))
    url = "/api/v1/users/by-product"
    params = {"product_type": "course", "product_id": published.id}
    api_client.get(url, {**params, "page_size": 1})
    with CaptureQueriesContext(connection) as one_row:
        small = api_client.get(url, {**params, "page_size": 1})

    # when
    with django_assert_num_queries(len(one_row.captured_queries)):
        large = api_client.get(url, {**params, "page_size": ROWS})

    # then
    assert small.status_code == large.status_code == 200
    assert (len(small.json()["results"]), len(large.json()["results"])) == (1, ROWS)
