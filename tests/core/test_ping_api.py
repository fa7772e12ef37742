import pytest

pytestmark = pytest.mark.django_db


def test_ping_answers_ok_without_credentials(client):
    # when
    response = client.get("/api/v1/ping")

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"].startswith("req_")


def test_ping_answers_with_trailing_slash_without_redirect(client):
    response = client.get("/api/v1/ping/")

    assert response.status_code == 200


def test_unknown_api_path_answers_envelope(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["request_id"] == response["X-Request-ID"]
