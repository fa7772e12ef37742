"""JSON parsing that refuses oversized bodies and names the problem in malformed input."""

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from apps.core.codes import CoreErrorCode
from apps.core.errors import RequestTooLarge

# Deeper bodies are refused: no Lyceum resource nests this far, and very deep values
# would exhaust the recursion limit later (validation, JSON encoding for the database).
MAX_DEPTH = 64
_TOO_DEEP = f"Malformed JSON: arrays or objects are nested more than {MAX_DEPTH} deep."
# PostgreSQL stores no NUL character in text or jsonb; refusing it here keeps every field,
# JSON ones included, from turning into a database error.
_NUL = "\x00"
_NUL_MESSAGE = "Null characters are not allowed."
# A \ud800-\udfff escape without its pair decodes to a lone surrogate, which PostgreSQL's
# jsonb and UTF-8 refuse. Numbers past the 64-bit integer range are stored but cannot be
# written back out (jsonb even returns 1e300 as a 301-digit integer), and 1e400 is infinite.
# Each is refused here, naming the field, instead of a 500.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = "Lone surrogate characters (unpaired \\ud800-\\udfff escapes) are not allowed."
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
_NUMBER_MESSAGE = "Numbers must lie within the 64-bit integer range (about ±9.2e18)."
# JSON allows a key twice in one object and Python keeps the last value, so
# {"role": "learner", "role": "admin"} would read as whichever a proxy or a log did not
# show. An ambiguous body is refused instead.
_DUPLICATE_MESSAGE = "This key appears more than once in the same object."


class _DuplicateKeys(dict):
    """An object whose body named ``duplicate`` more than once (refused by ``_check``)."""

    duplicate: str


def _object(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    marked = _DuplicateKeys(data)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.duplicate = key
            break
        seen.add(key)
    return marked


class JSONParser(parsers.JSONParser):
    """Strict JSON: UTF-8 only, no NaN/Infinity, no NUL or lone surrogate characters, no key
    twice in an object, integers within 64 bits, at most ``LYCEUM_MAX_BODY_BYTES`` and
    ``MAX_DEPTH`` levels."""

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
            data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_object)
        except ValueError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        except RecursionError:
            raise ParseError(_TOO_DEEP) from None
        _check(data)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _check(data: Any) -> None:
    """Refuse deep nesting, duplicate keys, NUL and lone surrogate characters and unwritable
    numbers, naming the field, without recursion."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            _check_text(value, path)
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            if not INT_MIN <= value <= INT_MAX:
                _refuse(path, _NUMBER_MESSAGE, "number_out_of_range")
            continue
        if isinstance(value, float):
            if not (math.isfinite(value) and INT_MIN <= value <= INT_MAX):
                _refuse(path, _NUMBER_MESSAGE, "number_out_of_range")
            continue
        if isinstance(value, _DuplicateKeys):
            _refuse((*path, value.duplicate), _DUPLICATE_MESSAGE, CoreErrorCode.DUPLICATE_KEY)
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = [(str(index), child) for index, child in enumerate(value)]
        else:
            continue
        if len(path) >= MAX_DEPTH:
            raise ParseError(_TOO_DEEP)
        for key, child in items:
            _check_text(key, path)
            pending.append((child, (*path, key)))


def _check_text(text: str, path: tuple[str, ...]) -> None:
    if _NUL in text:
        _refuse(path, _NUL_MESSAGE, "null_characters_not_allowed")
    if _SURROGATE.search(text):
        _refuse(path, _SURROGATE_MESSAGE, "surrogate_characters_not_allowed")


def _refuse(path: tuple[str, ...], message: str, code: str) -> None:
    field = ".".join(path) or "non_field_errors"
    raise ValidationError({field: [message]}, code=code)
