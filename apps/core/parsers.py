"""JSON parsing that refuses oversized bodies and names the problem in malformed input."""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from apps.core.errors import RequestTooLarge

# Deeper bodies are refused: no Lyceum resource nests this far, and very deep values
# would exhaust the recursion limit later (validation, JSON encoding for the database).
MAX_DEPTH = 64
_TOO_DEEP = f"Malformed JSON: arrays or objects are nested more than {MAX_DEPTH} deep."


class JSONParser(parsers.JSONParser):
    """Strict JSON: UTF-8 only, no NaN/Infinity, at most ``LYCEUM_MAX_BODY_BYTES`` and
    ``MAX_DEPTH`` levels of nesting."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.LYCEUM_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge()
        if not raw.strip():
            return {}
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(f"The request body is not valid UTF-8 (byte {exc.start}).") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        except RecursionError:
            raise ParseError(_TOO_DEEP) from None
        if _depth(data) > MAX_DEPTH:
            raise ParseError(_TOO_DEEP)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (a scalar is 0), without recursion."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest
