"""Validators shared by serializers, forms and models.

``validate_metadata`` bounds the free-form ``metadata`` object a client may store on a
resource. Without it the only bound is the 1 MiB request body, and metadata is copied into
every event and webhook delivery about the resource: a 1 MB value or 20,000 nested keys
would be stored, emitted and sent again on each change.

``refuse_control_characters`` keeps a tag, a name or a label to one line of plain text: a
control character in it (a tab, a line break, an escape sequence, a bidirectional
override) cannot be typed in a form, breaks CSV exports and mail headers, and can make one
label display as another. NUL characters are already refused for every body by the JSON
parser; these are the rest.
"""

import json
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from apps.core.codes import CoreErrorCode

METADATA_MAX_BYTES = 16 * 1024
METADATA_MAX_DEPTH = 5
METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 100

# C0 and C1 control characters, DEL, the line and paragraph separators, and the
# bidirectional embeddings, overrides and isolates (the marks U+200E/U+200F stay allowed).
# Escapes, not the characters: the pattern is also written into the OpenAPI schema.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTERS_MESSAGE = "Control characters (tabs, line breaks, escapes) are not allowed."


def refuse_control_characters(value: str) -> None:
    """Raise ValidationError (code ``control_characters``) if ``value`` holds one."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code=CoreErrorCode.CONTROL_CHARACTERS)


def validate_metadata(value: Any) -> Any:
    """Accept a JSON object of at most 50 keys in all (nested ones included), keys of at
    most 100 characters, nested at most 5 levels deep (the object itself is level 1) and
    at most 16 KiB as compact UTF-8 JSON; raise Django's ``ValidationError`` (with a code)
    otherwise. Returns ``value`` unchanged, so DRF ``validate_<field>`` methods can return it.
    """
    if not isinstance(value, dict):
        raise ValidationError("metadata must be a JSON object.", code=CoreErrorCode.INVALID)
    keys = 0
    # (container, its level): walked without recursion, so a deep value cannot exhaust
    # the stack before it is refused.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        container, level = pending.pop()
        if level > METADATA_MAX_DEPTH:
            raise ValidationError(
                f"metadata may nest at most {METADATA_MAX_DEPTH} levels of objects and lists.",
                code=CoreErrorCode.METADATA_TOO_DEEP,
            )
        if isinstance(container, dict):
            keys += len(container)
            if keys > METADATA_MAX_KEYS:
                raise ValidationError(
                    f"metadata may hold at most {METADATA_MAX_KEYS} keys in all "
                    "(keys of nested objects included).",
                    code=CoreErrorCode.TOO_MANY_METADATA_KEYS,
                )
            for key in container:
                if len(key) > METADATA_MAX_KEY_LENGTH:
                    raise ValidationError(
                        f"metadata keys may be at most {METADATA_MAX_KEY_LENGTH} characters.",
                        code=CoreErrorCode.METADATA_KEY_TOO_LONG,
                    )
            children = container.values()
        else:
            children = container
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > METADATA_MAX_BYTES:
        raise ValidationError(
            f"metadata may be at most {METADATA_MAX_BYTES // 1024} KiB as JSON, "
            f"got {size:,} bytes.",
            code=CoreErrorCode.METADATA_TOO_LARGE,
        )
    return value


def label_key(value: str) -> str:
    """The form two labels are compared in: NFKC, trimmed, case-folded (``Straße`` and
    ``STRASSE`` are one label). Computed in Python and stored, because SQL ``LOWER()`` folds
    only ASCII on SQLite and would let a database constraint disagree with the service."""
    return unicodedata.normalize("NFKC", value).strip().casefold()
