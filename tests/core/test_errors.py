"""The error envelope: every error becomes ``{detail, code, errors, request_id}``."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from apps.core.errors import (
    Conflict,
    InvalidInput,
    exception_handler,
    flatten_errors,
    handler500,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def context() -> dict:
    request = APIRequestFactory().get("/api/v1/x")
    request.request_id = "req_test"
    return {"request": request}


def test_flatten_errors_dots_nested_fields_and_indexes():
    # given
    detail = {"user": {"email": ["bad"]}, "tags": [{}, {"name": ["long"]}], "x": "plain"}

    # when
    flat = flatten_errors(detail)

    # then
    assert flat == {"user.email": ["bad"], "tags.1.name": ["long"], "x": ["plain"]}


def test_validation_error_names_the_first_field(context):
    # when
    response = exception_handler(exceptions.ValidationError({"email": ["Enter it."]}), context)

    # then
    assert response.status_code == 400
    assert response.data == {
        "detail": "email: Enter it.",
        "code": "invalid",
        "errors": {"email": ["Enter it."]},
        "request_id": "req_test",
    }


def test_domain_error_keeps_its_status_code_and_field(context):
    # when
    response = exception_handler(Conflict("Taken.", code="email_taken", field="email"), context)

    # then
    assert response.status_code == 409
    assert response.data["code"] == "email_taken"
    assert response.data["errors"] == {"email": ["Taken."]}


def test_invalid_input_without_a_field_has_no_errors(context):
    # when
    response = exception_handler(InvalidInput("Nope."), context)

    # then
    assert response.status_code == 400
    assert response.data["errors"] == {}


def test_django_errors_become_envelopes(context):
    # when
    not_found = exception_handler(Http404(), context)
    invalid = exception_handler(DjangoValidationError({"name": ["Bad."]}), context)

    # then
    assert (not_found.status_code, not_found.data["code"]) == (404, "not_found")
    assert (invalid.status_code, invalid.data["errors"]) == (400, {"name": ["Bad."]})


def test_a_code_given_at_the_raise_wins_over_the_class_code(context):
    # when
    response = exception_handler(
        exceptions.PermissionDenied("Lacks it.", code="missing_scope"), context
    )
    default = exception_handler(exceptions.PermissionDenied(), context)

    # then
    assert response.data["code"] == "missing_scope"
    assert default.data["code"] == "permission_denied"


def test_missing_scope_answers_its_code_over_http(scoped_client):
    # when
    response = scoped_client("read:users").post("/api/v1/users", {"email": "a@b.test"})

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_throttled_carries_retry_after(context):
    # when
    response = exception_handler(exceptions.Throttled(wait=2.2), context)

    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "3"


def test_unknown_exceptions_are_left_to_the_500_handler(context):
    # when
    response = exception_handler(RuntimeError("boom"), context)
    page = handler500(context["request"])

    # then
    assert response is None
    assert page.status_code == 500
    assert b'"code": "server_error"' in page.content
    assert b"req_test" in page.content
