"""Query parameters of every list, found by walking the URL resolver: a value that is not
valid for the parameter's type is 400 naming it, never ignored, and times need a zone.

A filter set another app adds is checked without editing this file; a filter of a type this
file has no bad value for fails ``test_every_filter_has_a_known_type`` until one is added.
"""

import django_filters
import pytest

from apps.core.filters import FilterSet
from apps.enrollments.api.certificates import IssuedAfterFilter
from apps.schools.api.filters import UserFilter
from tests.core import api_routes
from tests.factories import MemberFactory, create_owned

pytestmark = pytest.mark.django_db

# A value each filter type must refuse. A time without a zone is refused like garbage: the
# server cannot know which zone the client meant.
BAD_VALUES: list[tuple[type[django_filters.Filter], list[str]]] = [
    (django_filters.BooleanFilter, ["maybe", "null", "yes please"]),
    (django_filters.IsoDateTimeFilter, ["2026-01-31T12:00:00", "2026-01-31", "soon"]),
    (django_filters.ChoiceFilter, ["no-such-choice", ""]),
    (django_filters.NumberFilter, ["abc"]),
    # A date or a date-time with a zone (certificates' issued_after).
    (IssuedAfterFilter, ["2026-01-31T12:00:00", "2026-02-30", "soon"]),
]
# Filter types with no invalid value: any text is a value to match.
FREE_TEXT = (django_filters.CharFilter,)

FILTERED = [r for r in api_routes.list_routes() if getattr(r.viewset, "filterset_class", None)]


def _bad_values(filter_: django_filters.Filter) -> list[str] | None:
    for klass, values in BAD_VALUES:
        if isinstance(filter_, klass):
            return values
    return None


FILTER_CASES = [
    pytest.param(route, name, value, id=f"{route.name}-{name}={value}")
    for route in FILTERED
    for name, filter_ in route.viewset.filterset_class.base_filters.items()
    for value in _bad_values(filter_) or []
]
LIST_CASES = [pytest.param(route, id=route.name) for route in api_routes.list_routes()]


def _list_url(route: api_routes.ViewSetRoute, school) -> str:
    return route.url_for(create_owned(route.model, school=school) if route.kwargs else None)


@pytest.mark.parametrize("route", [pytest.param(r, id=r.name) for r in FILTERED])
def test_every_filter_set_derives_from_the_core_base(route):
    # then
    assert issubclass(route.viewset.filterset_class, FilterSet), (
        f"{route.viewset.filterset_class.__name__} must derive from apps.core.filters.FilterSet"
    )


@pytest.mark.parametrize("route", [pytest.param(r, id=r.name) for r in FILTERED])
def test_every_filter_has_a_known_type(route):
    # when
    unknown = [
        f"{name} ({type(filter_).__name__})"
        for name, filter_ in route.viewset.filterset_class.base_filters.items()
        if not isinstance(filter_, FREE_TEXT) and _bad_values(filter_) is None
    ]

    # then
    assert not unknown, f"add a bad value for these filter types to BAD_VALUES: {unknown}"


@pytest.mark.parametrize(("route", "name", "value"), FILTER_CASES)
def test_a_filter_value_invalid_for_its_type_is_400_naming_it(
    route, name, value, api_client, school
):
    # when
    response = api_client.get(_list_url(route, school), {name: value})

    # then
    assert response.status_code == 400, response.content
    body = response.json()
    assert name in body["errors"], body
    assert body["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize("route", LIST_CASES)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page_size", "null"),
        ("page_size", "ten"),
        ("updated_since", "2026-01-31T12:00:00"),
        ("updated_since", "2026-01-31"),
    ],
)
def test_shared_list_parameters_refuse_values_of_the_wrong_type(
    route, name, value, api_client, school
):
    # when
    response = api_client.get(_list_url(route, school), {name: value})

    # then
    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/event-logs", "created_after"),
        ("/api/v1/event-logs", "created_before"),
        ("/api/v1/users", "updated_since"),
    ],
)
def test_every_time_filter_follows_one_rule(api_client, url, name):
    # when
    naive = api_client.get(url, {name: "2026-01-31T12:00:00"})
    zoned = api_client.get(url, {name: "2026-01-31T12:00:00+05:30"})
    plus_unencoded = api_client.get(f"{url}?{name}=2026-01-31T12:00:00+05:30")

    # then
    assert naive.status_code == 400
    assert naive.json()["errors"] == {name: ["Give a time zone, e.g. 2026-01-31T12:00:00Z."]}
    assert zoned.status_code == plus_unencoded.status_code == 200


@pytest.mark.parametrize("value", ["true", "True", "1", "false", "0", ""])
def test_boolean_filters_take_true_false_one_zero_or_nothing(api_client, school, value):
    # given
    route = next(r for r in FILTERED if "active" in r.viewset.filterset_class.base_filters)

    # when
    response = api_client.get(_list_url(route, school), {"active": value})

    # then
    assert response.status_code == 200, response.content


def test_a_list_without_filter_parameters_builds_no_filter_set(api_client, school, monkeypatch):
    # given: a filter set that records being validated
    validated: list[dict] = []
    original = UserFilter.is_valid

    def record(self) -> bool:
        validated.append(self.data.dict())
        return original(self)

    monkeypatch.setattr(UserFilter, "is_valid", record)
    MemberFactory(school=school, company="Acme")
    MemberFactory(school=school, company="Other")

    # when
    plain = api_client.get("/api/v1/users", {"page_size": 5, "search": "", "page": 1})
    filtered = api_client.get("/api/v1/users", {"company": "Acme"})
    refused = api_client.get("/api/v1/users", {"role": "no-such-role"})

    # then: only the requests naming a filter paid for the form, and they still filter
    assert plain.status_code == 200
    assert plain.json()["count"] == 2
    assert filtered.json()["count"] == 1
    assert refused.status_code == 400
    assert validated == [{"company": "Acme"}, {"role": "no-such-role"}]


def test_a_required_filter_is_still_required_without_parameters(api_client):
    # when
    response = api_client.get("/api/v1/users/by-segment")

    # then
    assert response.status_code == 400
    assert "segment_id" in response.json()["errors"]
