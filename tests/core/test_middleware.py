"""Request ids, the request log line, the body size limit and the NUL-character guard."""

import logging

import pytest
from rest_framework.test import APIClient

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(api_client):
    # when
    response = api_client.get("/api/v1/users")

    # then
    assert response["X-Request-ID"].startswith("req_")
    assert len(response["X-Request-ID"]) == 30


def test_a_well_formed_client_request_id_is_kept(api_client):
    # when
    response = api_client.get("/api/v1/users", HTTP_X_REQUEST_ID="trace-1234.abc")

    # then
    assert response["X-Request-ID"] == "trace-1234.abc"


@pytest.mark.parametrize("incoming", ["short", "has space in it", "x" * 101, "new\nline-xxxx"])
def test_an_unsafe_client_request_id_is_replaced(api_client, incoming):
    # when
    response = api_client.get("/api/v1/users", HTTP_X_REQUEST_ID=incoming)

    # then
    assert response["X-Request-ID"].startswith("req_")


def test_each_request_logs_one_line_with_school_and_request_id(api_client, caplog):
    # given
    caplog.set_level(logging.INFO, logger="lyceum.request")

    # when
    response = api_client.get("/api/v1/users?page=1")

    # then
    lines = [r.getMessage() for r in caplog.records if r.name == "lyceum.request"]
    assert len(lines) == 1
    assert lines[0].startswith("method=GET path=/api/v1/users status=200 duration_ms=")
    assert lines[0].endswith(f"school=alpha request_id={response['X-Request-ID']}")


def test_the_request_log_leaves_out_an_invite_links_token(client, caplog):
    # given
    caplog.set_level(logging.INFO, logger="lyceum.request")
    token = "MTIz:1uJx0k:secret-signature"

    # when
    client.get(f"/invites/{token}")

    # then
    [line] = [r.getMessage() for r in caplog.records if r.name == "lyceum.request"]
    assert " path=/invites/<redacted> " in line
    assert "secret-signature" not in line


@pytest.mark.parametrize(
    "path", ["/api/v1/users/usr_%00", "/api/v1/jobs/%00", "/api/v1/no%00where", "/admin/%00/"]
)
def test_nul_character_in_the_path_is_404(api_client, path):
    # given
    client = APIClient(raise_request_exception=False)

    # when
    response = client.get(path)

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize("query", ["email=a%00", "page=%00", "custom=%00x", "a%00b=1"])
def test_nul_character_in_the_query_is_400_naming_the_parameter(api_client, school, query):
    # given
    MemberFactory(school=school)

    # when
    response = api_client.get(f"/api/v1/users?{query}")

    # then
    assert response.status_code == 400
    body = response.json()
    name = query.split("=")[0].replace("%00", "")
    assert body["errors"] == {name: ["Null characters are not allowed."]}
    assert body["detail"] == f"{name}: Null characters are not allowed."


def test_body_over_the_limit_is_413_before_parsing(api_client):
    # when
    response = api_client.generic(
        "POST", "/api/v1/users", b"x" * (1024 * 1024 + 1), content_type="application/json"
    )

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
