"""The JSON parser: strict JSON, UTF-8 only, bounded size and depth, errors that say why."""

from io import BytesIO

import pytest
from rest_framework.exceptions import ParseError, ValidationError

from apps.core.errors import RequestTooLarge
from apps.core.parsers import JSONParser

pytestmark = pytest.mark.django_db


def parse(raw: bytes):
    return JSONParser().parse(BytesIO(raw))


def test_parser_reads_a_json_object():
    assert parse(b'{"a": [1, "x"]}') == {"a": [1, "x"]}


def test_parser_treats_an_empty_body_as_an_empty_object():
    assert parse(b"  ") == {}


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b'{"a":' * 50_000, b"[" * 65 + b"]" * 65, b'{"a":' * 65 + b"1" + b"}" * 65],
    ids=["list-beyond-recursion", "object-beyond-recursion", "list-65", "object-65"],
)
def test_parser_refuses_deep_nesting_as_a_parse_error(raw):
    with pytest.raises(ParseError, match="nested more than 64 deep"):
        parse(raw)


def test_parser_accepts_nesting_up_to_the_limit():
    assert parse(b"[" * 64 + b"]" * 64) is not None


def test_deeply_nested_body_is_400_over_http(api_client):
    # when
    response = api_client.generic(
        "POST", "/api/v1/users", b"[" * 100_000, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_parser_refuses_nan():
    with pytest.raises(ParseError, match="NaN"):
        parse(b'{"a": NaN}')


def test_parser_names_the_first_bad_utf8_byte():
    with pytest.raises(ParseError, match="byte 7"):
        parse(b'{"a": "\xff"}')


def test_parser_refuses_more_than_one_mebibyte():
    with pytest.raises(RequestTooLarge):
        parse(b'"' + b"x" * (1024 * 1024) + b'"')


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"metadata": {"k": "a\\u0000b"}}', "metadata.k"),
        (b'{"metadata": {"a\\u0000": 1}}', "metadata"),
        (b'{"tags": ["ok", "\\u0000"]}', "tags.1"),
        (b'"\\u0000"', "non_field_errors"),
    ],
    ids=["value", "key", "list-item", "top-level"],
)
def test_parser_refuses_nul_characters_naming_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse(raw)

    assert caught.value.detail == {field: ["Null characters are not allowed."]}


def test_nul_character_in_json_metadata_is_400_over_http(api_client):
    # when: PostgreSQL's jsonb cannot store it, so it must not reach the database
    response = api_client.post(
        "/api/v1/users", {"email": "a@b.test", "metadata": {"k": "a\u0000b"}}, format="json"
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"metadata.k": ["Null characters are not allowed."]}
    assert body["code"] == "null_characters_not_allowed"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"role": "learner", "role": "admin"}', "role"),
        (b'{"metadata": {"plan": 1, "x": 2, "plan": 3}}', "metadata.plan"),
        (b'[{"a": 1}, {"a": 1, "a": 1}]', "1.a"),
    ],
    ids=["top-level", "nested", "in-a-list"],
)
def test_parser_refuses_a_key_twice_in_one_object_naming_it(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse(raw)

    assert caught.value.detail == {field: ["This key appears more than once in the same object."]}
    assert caught.value.detail[field][0].code == "duplicate_key"


def test_parser_accepts_the_same_key_in_different_objects():
    assert parse(b'{"a": {"a": 1}, "b": [{"a": 2}]}') == {"a": {"a": 1}, "b": [{"a": 2}]}


def test_duplicated_key_is_400_over_http_naming_it(api_client):
    # when: a proxy or log showing the first value would not see what the server used
    response = api_client.generic(
        "POST",
        "/api/v1/users",
        b'{"email": "a@b.test", "role": "learner", "role": "admin"}',
        content_type="application/json",
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "duplicate_key"
    assert body["errors"] == {"role": ["This key appears more than once in the same object."]}
