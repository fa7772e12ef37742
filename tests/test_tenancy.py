"""School tenancy over every API route, found by walking the URL resolver (not a hand-kept list).

School A's credential must never see, change or name school B's rows: B's ids are 404 on
every detail route and method, absent from every list, and "does not exist" in bodies.
Every test runs three times: between two schools, from a school's live key over its
sandbox, and from its test key (acting on the sandbox) over the live school.
New viewsets are covered automatically; one without a factory in ``tests/factories.py``
makes ``test_every_routed_model_has_a_tenant_factory`` fail.
"""

import json
from importlib import import_module

import pytest
from django.db import models
from rest_framework.relations import ManyRelatedField, RelatedField

from apps.schools.services.schools import api_key_create, school_create, school_sandbox
from config.api_urls import API_URL_MODULES
from tests.core import api_bodies, api_routes
from tests.factories import BODY_BASES, create_owned, factory_for

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["two-schools", "live-over-sandbox", "sandbox-over-live"])
def tenants(request, db) -> tuple:
    """``(mine, theirs, test mode)``: the caller's tenant, the one it must never reach, and
    whether the caller's key is a test key (acting on the sandbox)."""
    alpha = school_create(name="Alpha Academy", slug="alpha")[0]
    if request.param == "two-schools":
        return alpha, school_create(name="Beta Institute", slug="beta")[0], False
    sandbox = school_sandbox(school=alpha)
    if request.param == "live-over-sandbox":
        return alpha, sandbox, False
    return sandbox, alpha, True


@pytest.fixture
def school(tenants):
    return tenants[0]


@pytest.fixture
def other_school(tenants):
    return tenants[1]


@pytest.fixture
def api_key(tenants):
    mine, _theirs, test = tenants
    return api_key_create(
        school=mine.live_school if test else mine, name="tenancy", scopes=["*"], test=test
    )


ROUTES = api_routes.viewset_routes()
MODELS = sorted({route.model for route in ROUTES}, key=lambda m: m._meta.label)
DETAIL_CASES = [
    pytest.param(route, method, id=f"{route.name}-{method.upper()}")
    for route in api_routes.detail_routes()
    for method in route.methods()
]
LIST_ROUTES = [pytest.param(route, id=route.name) for route in api_routes.list_routes()]
NESTED_LIST_ROUTES = [
    pytest.param(route, id=route.name) for route in api_routes.list_routes() if route.parent_kwargs
]
REFERENCES = [pytest.param(field, id=str(field)) for field in api_bodies.reference_fields()]


def _snapshot(obj: models.Model) -> dict:
    """Every concrete field of a row, to prove a refused request changed nothing."""
    fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    assert fresh is not None, f"{obj!r} was deleted"
    return fresh


def _shows(response, obj: models.Model) -> bool:
    """Whether the response body carries any id of ``obj``."""
    content = response.content.decode()
    return any(value in content for value in api_routes.api_ids(obj))


def _call(client, method: str, url: str, body: dict | None = None):
    if method == "get":
        return client.get(url)
    return client.generic(
        method.upper(),
        url,
        data=json.dumps({} if body is None else body),
        content_type="application/json",
    )


def test_routes_are_found_for_every_api_module():
    # given
    walked = {pattern.name for pattern in api_routes.api_patterns()}

    # when
    missing = {
        pattern.name
        for module in API_URL_MODULES
        for pattern in import_module(module).urlpatterns
        if pattern.name not in walked
    }

    # then
    assert ROUTES, "the resolver walk found no viewset routes"
    assert not missing


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_routed_model_has_a_tenant_factory(model):
    # when
    make = factory_for(model)

    # then
    assert make is not None, (
        f"{model._meta.label} is served by the API but tests/factories.py cannot create one: "
        "add a factory (or a TENANT_FACTORIES entry) so the tenancy tests cover it."
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_tenant_factory_creates_rows_in_the_given_school(model, school, other_school):
    # when
    mine = create_owned(model, school=school)
    theirs = create_owned(model, school=other_school)

    # then
    for route in ROUTES:
        if route.model is model:
            queryset = model._default_manager.filter(**{route.viewset.school_field: school})
            assert queryset.filter(pk=mine.pk).exists()
            assert not queryset.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(("route", "method"), DETAIL_CASES)
def test_detail_route_answers_404_for_other_school_object(route, method, api_client, other_school):
    # given
    theirs = create_owned(route.model, school=other_school)
    before = _snapshot(theirs)

    # when
    response = _call(api_client, method, route.url_for(theirs))

    # then
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert not _shows(response, theirs)
    assert _snapshot(theirs) == before


@pytest.mark.parametrize(("route", "method"), DETAIL_CASES)
def test_detail_route_answers_404_for_other_school_object_to_user_token(
    route, method, user_client, other_school
):
    # given
    theirs = create_owned(route.model, school=other_school)
    before = _snapshot(theirs)

    # when
    response = _call(user_client, method, route.url_for(theirs))

    # then: hidden (404) or refused outright (403) before the object is looked up
    assert response.status_code in (403, 404), response.content
    assert not _shows(response, theirs)
    assert _snapshot(theirs) == before


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_list_route_shows_no_other_school_rows(route, api_client, school, other_school):
    # given
    mine = create_owned(route.model, school=school)
    theirs = create_owned(route.model, school=other_school)

    # when
    response = api_client.get(route.url_for(mine if route.kwargs else None))

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    assert not _shows(response, theirs)
    assert other_school.id not in response.content.decode()


@pytest.mark.parametrize("route", NESTED_LIST_ROUTES)
def test_nested_list_route_hides_other_school_parent(route, api_client, other_school):
    # given
    theirs = create_owned(route.model, school=other_school)

    # when
    response = api_client.get(route.url_for(theirs))

    # then
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


def test_every_parent_path_parameter_is_declared_on_the_viewset():
    # given
    routes = [route for route in ROUTES if route.parent_kwargs]

    # when
    undeclared = [
        f"{route}: {name}"
        for route in routes
        for name in route.parent_kwargs
        if name
        not in {
            kwarg
            for parent in route.viewset.parents()
            for kwarg in (parent.url_kwarg, *parent.match.values())
        }
    ]

    # then
    assert routes
    assert undeclared == []


def test_id_like_body_fields_are_references_or_declared_plain():
    # when
    unmapped = [str(field) for field in api_bodies.unmapped_id_fields()]

    # then
    assert not unmapped, (
        "These body fields look like ids but are not related fields; map each name in "
        "tests/factories.ID_FIELD_MODELS to the model it names (or None if it is not an id), "
        f"so the tenancy test can send another school's id: {unmapped}"
    )


@pytest.mark.parametrize("reference", REFERENCES)
def test_body_cannot_reference_other_school_id(reference, api_client, school, other_school):
    # given
    url, view = reference.path, reference.view_class
    parameters = api_routes.path_parameters(url)
    if parameters:  # address one of school A's own rows; only the body names school B
        mine = create_owned(view.queryset.model, school=school)
        lookup = view.lookup_url_kwarg or view.lookup_field
        for name in parameters:
            value = (
                getattr(mine, view.lookup_field)
                if name in (lookup, "id", "pk")
                else api_routes.path_value(mine, name)
            )
            url = url.replace(f"{{{name}}}", str(value))
    theirs = create_owned(reference.model, school=other_school)
    if isinstance(reference.field, RelatedField):
        value = reference.field.to_representation(theirs)
    elif isinstance(reference.field, ManyRelatedField):
        value = reference.field.child_relation.to_representation(theirs)
    else:  # a plain id field: ``user_id`` names a member by its user_id, else the pk
        leaf = reference.name.rsplit(".", 1)[-1]
        value = str(getattr(theirs, leaf, theirs.pk))
    body = BODY_BASES[reference.operation](school) if reference.operation in BODY_BASES else {}
    body.update(api_bodies.nest(reference.name, [value] if reference.many else value))

    # when
    response = _call(api_client, reference.method.lower(), url, body)

    # then
    assert response.status_code in (400, 404), response.content
    errors = response.json()["errors"]
    assert any(reference.names_error(key) for key in errors), (
        f"{reference} accepted another school's id (errors: {errors})"
    )
    assert "does not exist" in str(errors).lower() or response.status_code == 404
