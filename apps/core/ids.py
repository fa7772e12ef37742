"""Type-prefixed, time-ordered identifiers: ``usr_01jd8x...``.

The 26 characters after the prefix are a ULID in lower-case Crockford base32: a 48-bit
millisecond timestamp followed by 80 random bits. Ids sort by creation time, append to
the end of B-tree indexes and reveal nothing about row counts.
"""

import os
import re
import threading
import time

from django.db import models

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ULID_LENGTH = 26
_lock = threading.Lock()
_last = {"ms": -1, "rand": 0}


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def new_ulid() -> str:
    """Return a 26-character ULID; ids made in the same millisecond by one process still sort."""
    now_ms = time.time_ns() // 1_000_000
    with _lock:
        if now_ms <= _last["ms"]:
            # Same (or an earlier, clock-stepped) millisecond: keep order by incrementing.
            now_ms = _last["ms"]
            rand = (_last["rand"] + 1) & ((1 << 80) - 1)
        else:
            rand = int.from_bytes(os.urandom(10), "big")
        _last["ms"], _last["rand"] = now_ms, rand
    return _encode((now_ms << 80) | rand, _ULID_LENGTH)


def new_id(prefix: str) -> str:
    """Return a new id such as ``crs_01jd8x...`` for the given type prefix."""
    return f"{prefix}_{new_ulid()}"


def id_pattern(prefix: str) -> re.Pattern[str]:
    """The regular expression an id of this prefix matches."""
    return re.compile(rf"^{re.escape(prefix)}_[0-9a-hjkmnp-tv-z]{{{_ULID_LENGTH}}}$")


def is_valid_id(value: object, prefix: str) -> bool:
    """True when ``value`` is a well-formed id of ``prefix``."""
    return isinstance(value, str) and bool(id_pattern(prefix).match(value))


class PrefixedIdField(models.CharField):
    """A string primary key generated in Python at creation time."""

    def __init__(self, *args, prefix: str, **kwargs) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", len(prefix) + 1 + _ULID_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs["default"] = self._generate
        super().__init__(*args, **kwargs)

    def _generate(self) -> str:
        return new_id(self.prefix)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        kwargs.pop("default", None)
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == len(self.prefix) + 1 + _ULID_LENGTH:
            kwargs.pop("max_length")
        return name, path, args, kwargs
