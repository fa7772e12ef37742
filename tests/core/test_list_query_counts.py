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
