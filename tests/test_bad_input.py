"""Bad input gets the error envelope with a 4xx naming the field; nothing answers 500.

Clients here do not re-raise server errors (``raise_request_exception=False``), so a crash
shows up as the 500 it would be in production instead of as a test exception.
"""

import json
from io import BytesIO

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import RequestTooLarge
from apps.core.parsers import JSONParser
from tests.core import api_routes
from tests.factories import JobFactory, MemberFactory

pytestmark = pytest.mark.django_db

ENVELOPE_KEYS = {"detail", "code", "errors", "request_id"}


@pytest.fixture
def client_a(api_key) -> APIClient:
    """School A's key with every scope; server errors come back as responses."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    return client


@pytest.fixture
def member(school):
    return MemberFactory(school=school)


def assert_envelope(response, status: int, field: str | None = None) -> dict:
    """The response is the error envelope with ``status``, naming ``field`` when given."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["request_id"] == response["X-Request-ID"]
    assert body["code"]
    assert body["detail"]
    if field is not None:
        named = [key for key in body["errors"] if key == field or key.startswith(f"{field}.")]
        assert named, body
        if field != "non_field_errors":  # those read as a sentence, without a field prefix
            assert body["detail"].startswith(named[0]), body
    return body


def post_json(client: APIClient, url: str, raw: bytes | str, **extra):
    return client.generic("POST", url, raw, content_type="application/json", **extra)


# --- bodies -----------------------------------------------------------------------------


def test_malformed_json_is_400_parse_error(client_a):
    # when
    response = post_json(client_a, "/api/v1/users", b'{"email": ')

    # then
    body = assert_envelope(response, 400)
    assert body["code"] == "parse_error"
    assert "JSON" in body["detail"]


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["deep-list", "deep-object"],
)
def test_deeply_nested_json_is_400_not_a_crash(client_a, raw):
    # when
    response = post_json(client_a, "/api/v1/users", raw)

    # then
    body = assert_envelope(response, 400)
    assert body["code"] == "parse_error"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_json_constants_are_refused(client_a, constant):
    # when
    response = post_json(
        client_a, "/api/v1/users", b'{"email": "a@b.test", "x": ' + constant + b"}"
    )

    # then
    assert assert_envelope(response, 400)["code"] == "parse_error"


def test_non_utf8_body_is_400_naming_the_byte(client_a):
    # when
    response = post_json(client_a, "/api/v1/users", b'{"email": "\xff\xfe@x.test"}')

    # then
    body = assert_envelope(response, 400)
    assert "UTF-8" in body["detail"]


def test_body_that_is_not_an_object_is_400(client_a):
    # when
    response = post_json(client_a, "/api/v1/users", b"[1, 2]")

    # then
    assert_envelope(response, 400, "non_field_errors")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": 5}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.test", "first_name": {"a": 1}}, "first_name"),
        ({"email": "a@b.test", "tags": "x"}, "tags"),
        ({"email": "a@b.test", "tags": [{"a": 1}]}, "tags.0"),
        ({"email": "a@b.test", "metadata": [1]}, "metadata"),
        ({"email": "a@b.test", "country": "usa"}, "country"),
        ({"email": "a@b.test", "first_name": "x" * 151}, "first_name"),
        ({"email": "a@b.test", "first_name": "nul\u0000byte"}, "first_name"),
        ({"email": "a@b.test", "password": "short"}, "password"),
        ({"email": "a@b.test", "metadata": {f"k{i}": i for i in range(51)}}, "metadata"),
        ({"email": "a@b.test", "metadata": {"k": "nul\u0000"}}, "metadata"),
        ({"email": "a@b.test", "metadata": {"nul\u0000": 1}}, "metadata"),
    ],
    ids=[
        "email-int",
        "email-format",
        "name-object",
        "tags-string",
        "tag-object",
        "metadata-list",
        "country",
        "name-too-long",
        "name-nul",
        "password-short",
        "metadata-51-keys",
        "metadata-nul-value",
        "metadata-nul-key",
    ],
)
def test_wrong_types_and_values_are_400_naming_the_field(client_a, body, field):
    # when
    response = client_a.post("/api/v1/users", body, format="json")

    # then
    assert_envelope(response, 400, field)


def test_unknown_enum_value_in_body_is_400_naming_the_field(client_a, member):
    # when
    created = client_a.post("/api/v1/users", {"email": "a@b.test", "role": "wizard"}, format="json")
    tagged = client_a.put(
        f"/api/v1/users/{member.user_id}/tags", {"tags": ["x"], "action": "explode"}, format="json"
    )

    # then
    assert_envelope(created, 400, "role")
    assert_envelope(tagged, 400, "action")


def test_unknown_enum_value_in_filter_is_400_naming_the_field(client_a):
    # when
    response = client_a.get("/api/v1/users", {"role": "wizard"})

    # then
    assert_envelope(response, 400, "role")


def test_form_encoded_body_is_415(client_a):
    # when
    response = client_a.post("/api/v1/users", {"email": "a@b.test"}, format="multipart")

    # then
    assert assert_envelope(response, 415)["code"] == "unsupported_media_type"


def test_body_over_one_mebibyte_is_413(client_a):
    # given
    raw = json.dumps({"email": "a@b.test", "first_name": "x" * (1024 * 1024)})

    # when
    response = post_json(client_a, "/api/v1/users", raw)

    # then
    assert assert_envelope(response, 413)["code"] == "request_too_large"


def test_body_over_one_mebibyte_without_a_length_is_refused_by_the_parser():
    # given: a chunked upload declares no length, so only the parser can count it
    stream = BytesIO(b'{"x": "' + b"y" * (1024 * 1024) + b'"}')

    # when / then
    with pytest.raises(RequestTooLarge):
        JSONParser().parse(stream)


def test_content_length_that_is_not_a_number_is_400(client_a):
    # when
    response = client_a.generic(
        "POST", "/api/v1/users", b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )

    # then
    assert_envelope(response, 400)


def test_overlong_idempotency_key_is_400_naming_the_header(client_a):
    # when
    response = client_a.post(
        "/api/v1/users",
        {"email": "a@b.test"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 256,
    )

    # then
    assert_envelope(response, 400, "Idempotency-Key")


# --- paths and ids ------------------------------------------------------------------------

DETAIL_GETS = [
    pytest.param(route, id=route.name)
    for route in api_routes.detail_routes()
    if "get" in route.methods() and not route.parent_kwargs
]


@pytest.mark.parametrize("route", DETAIL_GETS)
@pytest.mark.parametrize(
    "bad_id",
    ["zzz_01jd8x0000000000000000000", "usr_", "1", "%00", "x" * 5000, "%ff%fe", "a%20b"],
    ids=["wrong-prefix", "empty-ulid", "integer", "nul", "huge", "non-utf8", "space"],
)
def test_bad_ids_on_detail_routes_are_404(client_a, route, bad_id):
    # given
    url = reverse(f"api:{route.name}", kwargs={route.lookup_kwarg: "ID"}).replace("ID", bad_id)

    # when
    response = client_a.get(url)

    # then
    assert assert_envelope(response, 404)["code"] == "not_found"


def test_id_of_another_type_is_404(client_a, school, member):
    # given
    job = JobFactory(school=school)

    # when
    as_user = client_a.get(f"/api/v1/users/{job.id}")
    as_event = client_a.get(f"/api/v1/event-logs/{member.user_id}")

    # then
    assert_envelope(as_user, 404)
    assert_envelope(as_event, 404)


def test_unknown_path_and_wrong_method_answer_the_envelope(client_a, member):
    # when
    unknown = client_a.get("/api/v1/courses-that-do-not-exist")
    wrong_method = client_a.delete(f"/api/v1/users/{member.user_id}")

    # then
    assert assert_envelope(unknown, 404)["code"] == "not_found"
    assert assert_envelope(wrong_method, 405)["code"] == "method_not_allowed"


def test_non_utf8_query_string_does_not_crash(client_a, member):
    # when
    response = client_a.get("/api/v1/users?email=%ff%fe&search=%ff")

    # then
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("param", ["search", "email", "tag", "external_id"])
def test_nul_byte_in_a_query_parameter_is_not_a_crash(client_a, member, param):
    # when
    response = client_a.get(f"/api/v1/users?{param}=a%00b")

    # then
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert_envelope(response, 400, param)
    else:
        assert response.json()["results"] == []


# --- pagination -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99", "1.5"])
def test_bad_page_is_404_naming_the_page(client_a, member, page):
    # when
    response = client_a.get(f"/api/v1/users?page={page}")

    # then
    body = assert_envelope(response, 404)
    assert "page" in body["detail"]


def test_huge_page_size_is_clamped_to_the_maximum(client_a, school):
    # given: jobs list 100 per page at most
    JobFactory.create_batch(101, school=school)

    # when
    response = client_a.get("/api/v1/jobs", {"page_size": 10**9})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert "page=2" in body["next"]


@pytest.mark.parametrize("page_size", ["0", "-3", str(10**40)])
def test_page_size_out_of_range_is_clamped(client_a, member, page_size):
    # when
    response = client_a.get(f"/api/v1/users?page_size={page_size}")

    # then
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize("page_size", ["null", "abc", "1e3", "1.5", "true"])
def test_page_size_that_is_not_a_number_is_400_naming_it(client_a, member, page_size):
    # when
    response = client_a.get(f"/api/v1/users?page_size={page_size}")

    # then
    assert_envelope(response, 400, "page_size")


@pytest.mark.parametrize("param", ["page", "page_size"])
def test_nul_character_in_paging_parameters_is_400_naming_it(client_a, param):
    # when
    response = client_a.get(f"/api/v1/users?{param}=1%00")

    # then
    assert_envelope(response, 400, param)


# --- updated_since and time filters -------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["garbage", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "%00"],
    ids=["words", "feb-30", "month-13", "hour-25", "nul"],
)
def test_updated_since_garbage_is_400_naming_the_parameter(client_a, value):
    # when
    response = client_a.get(f"/api/v1/users?updated_since={value}")

    # then
    assert_envelope(response, 400, "updated_since")


def test_updated_since_without_a_time_zone_is_400(client_a):
    # when
    response = client_a.get("/api/v1/users", {"updated_since": "2026-01-01T00:00:00"})

    # then
    body = assert_envelope(response, 400, "updated_since")
    assert "time zone" in body["detail"]


@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_event_log_time_filters_with_garbage_are_400(client_a, param):
    # when
    response = client_a.get("/api/v1/event-logs", {param: "2026-02-30T00:00:00Z"})

    # then
    assert_envelope(response, 400, param)


# --- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Basic !!!", "Basic " + "w4k=", "Bearer", "Bearer not.a.jwt", "Token abc", "Bearer sk_live_é"],
    ids=["basic-not-base64", "basic-not-utf8", "bearer-empty", "bearer-junk", "scheme", "latin1"],
)
def test_malformed_authorization_is_401_envelope(header):
    # given
    client = APIClient(raise_request_exception=False)

    # when
    response = client.get("/api/v1/users", HTTP_AUTHORIZATION=header)

    # then
    assert_envelope(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
