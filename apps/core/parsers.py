"""JSON parsing that refuses oversized bodies and names the problem in malformed input."""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from apps.core.errors import RequestTooLarge

# Deeper bodies are refused: no Lyceum resource nests this far, and very deep values
# would exhaust the recursion limit later (validation, JSON encoding for the database).
MAX_DEPTH = 64
_TOO_DEEP = f"Malformed JSON: arrays or objects are nested more than {MAX_DEPTH} deep."
# PostgreSQL stores no NUL character in text or jsonb; refusing it here keeps every field,
# JSON ones included, from turning into a database error.
_NUL = "\x00"
_NUL_MESSAGE = "Null characters are not allowed."


class JSONParser(parsers.JSONParser):
    """Strict JSON: UTF-8 only, no NaN/Infinity, no NUL characters, at most
    ``LYCEUM_MAX_BODY_BYTES`` and ``MAX_DEPTH`` levels of nesting."""

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
        _check(data)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _check(data: Any) -> None:
    """Refuse nesting beyond ``MAX_DEPTH`` and NUL characters (naming the field), without
    recursion."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if _NUL in value:
                _refuse_nul(path)
            continue
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = [(str(index), child) for index, child in enumerate(value)]
        else:
            continue
        if len(path) >= MAX_DEPTH:
            raise ParseError(_TOO_DEEP)
        for key, child in items:
            if _NUL in key:
                _refuse_nul(path)
            pending.append((child, (*path, key)))


def _refuse_nul(path: tuple[str, ...]) -> None:
    field = ".".join(path) or "non_field_errors"
    raise ValidationError({field: [_NUL_MESSAGE]}, code="null_characters_not_allowed")
