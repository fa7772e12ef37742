"""OpenAPI post-processing: document the error envelope on every operation."""

ERROR_COMPONENT = "ErrorEnvelope"

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "code", "errors", "request_id"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, naming the field."},
        "code": {"type": "string", "description": "A stable snake_case code to switch on."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per field; nested fields are dotted (user.email).",
        },
        "request_id": {"type": "string", "nullable": True},
    },
}

_DESCRIPTIONS = {
    "400": "Bad input (the error envelope names the field).",
    "401": "Missing, invalid or revoked credential.",
    "403": "The credential lacks the scope or the right.",
    "404": "Not found (another school's ids are not found either).",
    "405": "Method not allowed.",
    "409": "Conflict with the current state, or a duplicate Idempotency-Key in flight.",
    "411": "A chunked body the server cannot read; send Content-Length.",
    "413": "Request body over 1 MiB.",
    "415": "Unsupported media type (send application/json).",
    "422": "Idempotency-Key reused on another path or with a different body.",
    "429": "Rate limit exceeded; see Retry-After.",
    "503": "The database stayed busy with other writes; retry after Retry-After seconds.",
}
_ALL = ("400", "401", "403", "404", "405", "429", "503")
_WITH_BODY = ("409", "411", "413", "415", "422")


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Give every operation the envelope for the error statuses it can answer."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = _ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = list(_ALL)
            if method in {"post", "put", "patch"}:
                statuses += _WITH_BODY
            responses = operation.setdefault("responses", {})
            for code in statuses:
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
            # An error status a view declares by its description alone (a DELETE's 409)
            # answers the envelope too.
            for code, response in responses.items():
                if code in _DESCRIPTIONS and "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
            operation.setdefault("parameters", [])
            if method == "post" and not any(
                p.get("name") == "Idempotency-Key" for p in operation["parameters"]
            ):
                operation["parameters"].append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "Replays the first response for 24 h when sent again.",
                        # The server strips the key and refuses an empty or blank one.
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 255,
                            "pattern": "\\S",
                        },
                    }
                )
    return result


# Query values may not hold NUL (the API answers 400: PostgreSQL cannot compare with it).
NO_NUL_PATTERN = "^[^\x00]*$"


def describe_query_values(result: dict, generator, request, public) -> dict:
    """Say in the schema what every query parameter accepts, as the filters enforce it.

    A free string refuses NUL.
    """
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema")
                if parameter.get("in") != "query" or not isinstance(schema, dict):
                    continue
                if schema.get("type") != "string" or "enum" in schema:
                    continue
                if "format" not in schema and "pattern" not in schema:
                    schema["pattern"] = NO_NUL_PATTERN
    return result
