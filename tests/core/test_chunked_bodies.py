"""Chunked request bodies (no Content-Length): read where the server ends the input, else
411; never read as an empty body."""

import io
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def send_chunked(client: Client, method: str, path: str, body: dict, *, terminated: bool):
    """Send ``body`` as a server hands over a chunked request: decoded, with no length.

    gunicorn sets ``wsgi.input_terminated`` (its input ends where the body ends); runserver
    does not.
    """
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(json.dumps(body).encode()),
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    return client.request(**environ)


@pytest.fixture
def user_id(api_client) -> str:
    response = api_client.post(
        "/api/v1/users",
        {"email": "ada@example.test", "first_name": "Ada", "last_name": "Lovelace"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_chunked_patch_is_applied_when_the_server_terminates_the_input(api_client, user_id):
    # when
    response = send_chunked(
        api_client, "PATCH", f"/api/v1/users/{user_id}", {"first_name": "Grace"}, terminated=True
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Grace"
    assert api_client.get(f"/api/v1/users/{user_id}").json()["first_name"] == "Grace"


def test_a_chunked_post_creates_when_the_server_terminates_the_input(api_client):
    # when
    response = send_chunked(
        api_client,
        "POST",
        "/api/v1/users",
        {"email": "grace@example.test", "first_name": "Grace", "last_name": "Hopper"},
        terminated=True,
    )

    # then
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "grace@example.test"


def test_a_chunked_patch_is_411_when_the_server_cannot_end_the_input(api_client, user_id):
    # when
    response = send_chunked(
        api_client, "PATCH", f"/api/v1/users/{user_id}", {"first_name": "Grace"}, terminated=False
    )

    # then: refused in the envelope, and nothing changed
    assert response.status_code == 411
    body = response.json()
    assert body["code"] == "length_required"
    assert "Content-Length" in body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    assert api_client.get(f"/api/v1/users/{user_id}").json()["first_name"] == "Ada"


def test_a_chunked_body_over_the_limit_is_413(api_client, user_id, settings):
    # given
    settings.LYCEUM_MAX_BODY_BYTES = 64

    # when
    response = send_chunked(
        api_client, "PATCH", f"/api/v1/users/{user_id}", {"first_name": "G" * 100}, terminated=True
    )

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
