"""Request bodies of every operation, found through drf-spectacular: a key that is not a
field of the resource is 400 ``unknown_field`` naming it, at any depth.

A serializer another app adds is checked without editing this file: deriving from
``apps.core.api.serializers.Serializer`` (or ``ModelSerializer``) is what makes it pass.
"""

import ipaddress
import json
from collections.abc import Iterator

import pytest
from rest_framework import serializers

from apps.core import http
from apps.core.api.serializers import StrictFieldsMixin
from tests.core import api_bodies
from tests.factories import BODY_BASES

pytestmark = pytest.mark.django_db

UNKNOWN = "lyceum_no_such_field"


# The users serializers are being rewritten with per-school accounts; they adopt
# StrictFieldsMixin in that change. Strict: the day they do, these cases fail as XPASS and
# this marker must go.
def _unknown_bodies(
    serializer: serializers.BaseSerializer, prefix: str = ""
) -> Iterator[tuple[dict, str]]:
    """(body, error key): an unknown key at this level, then inside every nested object."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    yield {UNKNOWN: 1}, f"{prefix}{UNKNOWN}"
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        many = isinstance(field, serializers.ListSerializer | serializers.ListField)
        child = field.child if many else field
        if isinstance(child, serializers.BaseSerializer):
            inner_prefix = f"{prefix}{name}.0." if many else f"{prefix}{name}."
            for inner, key in _unknown_bodies(child, inner_prefix):
                yield {name: [inner] if many else inner}, key


CASES = [
    pytest.param(operation, body, key, id=f"{operation}-{key}")
    for operation in api_bodies.request_bodies()
    for body, key in _unknown_bodies(operation.serializer)
]
OPERATIONS = [
    pytest.param(operation, id=str(operation)) for operation in api_bodies.request_bodies()
]


def _url(operation: api_bodies.RequestBody, school) -> str:
    return api_bodies.operation_url(operation.path, operation.view_class, school)


def test_nested_request_bodies_are_found():
    # then
    assert any("." in case.values[2] for case in CASES)


@pytest.mark.parametrize(("operation", "body", "key"), CASES)
def test_a_key_that_is_not_a_field_is_400_unknown_field(operation, body, key, api_client, school):
    # given
    sent = BODY_BASES[str(operation)](school) if str(operation) in BODY_BASES else {}
    sent.update(body)

    # when
    response = api_client.generic(
        operation.method,
        _url(operation, school),
        data=json.dumps(sent),
        content_type="application/json",
    )

    # then
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors.get(key) == ["This resource has no such field."], errors
    if key == UNKNOWN:
        assert response.json()["code"] == "unknown_field"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_request_serializer_derives_from_the_strict_base(operation):
    # given
    serializer = operation.serializer
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child

    # then
    assert isinstance(serializer, StrictFieldsMixin), (
        f"{type(serializer).__name__} must derive from apps.core.api.serializers.Serializer"
    )


UPDATES = [
    pytest.param(operation, id=str(operation))
    for operation in api_bodies.request_bodies()
    if operation.method in ("PUT", "PATCH")
    and getattr(operation.serializer, "read_shape", None) is not None
]


def test_updates_with_a_read_shape_are_found():
    # then
    assert len(UPDATES) >= 10


@pytest.mark.parametrize("operation", UPDATES)
def test_an_update_takes_back_what_a_read_gave(operation, api_client, school, monkeypatch):
    # given what GET answers for the row (target URLs resolve to a public address)
    monkeypatch.setattr(http, "resolve", lambda host, port: [ipaddress.ip_address("8.8.8.8")])
    url = _url(operation, school)
    read = api_client.get(url)
    assert read.status_code == 200, read.content
    assert set(read.json()) <= set(operation.serializer.read_shape().fields)

    # when all of it, read-only fields included, is sent back
    response = api_client.generic(
        operation.method, url, data=json.dumps(read.json()), content_type="application/json"
    )

    # then it is accepted and nothing changes
    assert response.status_code == 200, response.content
    changed = {
        key
        for key, value in read.json().items()
        if key != "updated_at" and response.json().get(key) != value
    }
    assert not changed, (read.json(), response.json())
