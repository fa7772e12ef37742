"""Regression tests for what the OpenAPI fuzzer found; each names the bug it pins down."""

import re

from drf_spectacular.generators import SchemaGenerator


def openapi_schema() -> dict:
    """The schema /api/schema/ serves, post-processing hooks included."""
    return SchemaGenerator().get_schema(request=None, public=True)


def idempotency_parameter(schema: dict) -> dict:
    operation = schema["paths"]["/api/v1/users/"]["post"]
    return next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")


def test_idempotency_key_schema_refuses_the_blank_keys_the_server_refuses(api_client) -> None:
    # given the documented Idempotency-Key header
    documented = idempotency_parameter(openapi_schema())["schema"]

    # when a blank key is sent
    response = api_client.post(
        "/api/v1/users",
        {"email": "blank-key@alpha.test"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="   ",
    )

    # then the server refuses it, and the schema already calls it invalid
    assert response.status_code == 400
    assert response.json()["errors"] == {"Idempotency-Key": [response.json()["detail"]]}
    assert documented["minLength"] == 1
    assert re.search(documented["pattern"], "   ") is None
    assert re.search(documented["pattern"], "") is None
    assert re.search(documented["pattern"], " retry-42 ") is not None
