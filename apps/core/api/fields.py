"""Serializer fields shared by every app's API, with how the OpenAPI schema shows them."""

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.core.email_identity import EmailRefused, normalize_email
from apps.core.times import is_time_zone
from apps.core.validators import CONTROL_CHARACTERS, refuse_control_characters

# JSON Schema (ECMA 262) spelling of "no control character anywhere", for a non-empty value:
# where a blank is allowed the schema offers it as a separate ``oneOf`` branch, and a pattern
# that matched "" too would make a blank match both branches (invalid under ``oneOf``).
LABEL_PATTERN = "^[^" + CONTROL_CHARACTERS.pattern[1:-1] + "]+$"
# What Python's ``str.strip()`` (DRF's ``trim_whitespace``) removes besides control characters.
_SPACES = r"\x20\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# The same for a label that may not be blank: something is left once the spaces around it are
# trimmed, so "   " is refused by the schema as it is by the server.
NON_BLANK_LABEL_PATTERN = (
    f"^[^{CONTROL_CHARACTERS.pattern[1:-1]}]*"
    f"[^{_SPACES}{CONTROL_CHARACTERS.pattern[1:-1]}]"
    f"[^{CONTROL_CHARACTERS.pattern[1:-1]}]*$"
)


class EmailIdentityField(serializers.EmailField):
    """An e-mail address in its normal form (``apps.core.email_identity``).

    Look-alike spellings of one mailbox (full-width letters, a decomposed accent, an
    upper-case or punycode domain) arrive as one value; invisible characters are refused.
    The address is validated after normalising.
    """

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return normalize_email(value)
        except EmailRefused as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class LabelField(serializers.CharField):
    """One line of text (a tag, a name, a label): control characters are 400 naming it,
    also at either end (checked before surrounding spaces are trimmed)."""

    def to_internal_value(self, data: Any) -> str:
        # A number is not a label: DRF's CharField would turn 42 into "42", which the
        # schema (a string) does not allow.
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            refuse_control_characters(data)
        except DjangoValidationError as exc:
            raise ValidationError(list(exc.messages), code=exc.code) from None
        return super().to_internal_value(data)


class LabelFieldSchema(OpenApiSerializerFieldExtension):
    """The schema says what a label refuses, so generated clients and fuzzers know it."""

    target_class = LabelField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            blank_refused = not self.target.allow_blank and self.target.trim_whitespace
            schema["pattern"] = NON_BLANK_LABEL_PATTERN if blank_refused else LABEL_PATTERN
        return schema


class CaseInsensitiveChoiceField(serializers.ChoiceField):
    """A choice given in any letter case (``Months``, ``MONTHS``), stored as its canonical value.

    Skilljar's own examples spell one enum two ways, and clients copy either.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            folded = {str(key).casefold(): key for key in self.choices}
            data = folded.get(data.casefold(), data)
        return super().to_internal_value(data)


class CaseInsensitiveChoiceFieldSchema(OpenApiSerializerFieldExtension):
    """In requests the field is a string matching a choice in any letter case (a JSON Schema
    ``enum`` cannot say that; a pattern of ``[Mm][Oo]...`` alternatives can)."""

    target_class = CaseInsensitiveChoiceField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        choices = [str(key) for key in self.target.choices]
        if direction == "response":
            return {"type": "string", "enum": choices}
        alternatives = "|".join(
            "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else _escape(c) for c in choice)
            for choice in choices
        )
        return {
            "type": "string",
            "pattern": f"^({alternatives})$",
            "description": f"One of {', '.join(choices)}, in any letter case.",
        }


def _escape(char: str) -> str:
    return f"\\{char}" if char in r"\^$.|?*+()[]{}/-" else char


class SchoolScopedRelatedMixin:
    """Resolve references only among the caller's school's rows ("does not exist" else)."""

    context: dict

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        school = getattr(getattr(request, "auth", None), "school", None)
        if school is None:
            return queryset.none()
        return queryset.filter(school=school)


class SchoolPrimaryKeyRelatedField(SchoolScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    """A primary-key reference to a row of the caller's school."""


class SchoolSlugRelatedField(SchoolScopedRelatedMixin, serializers.SlugRelatedField):
    """A reference by another unique field (``user_id`` for members) in the caller's school."""


# An absolute http(s) URL with a host, no credentials, no spaces or control characters: the
# same expression validates the field and is its schema's pattern, so what the schema allows
# the API accepts. Where it resolves is judged when it is fetched. U+0085 (NEL) is named
# beside \s because Python's \s holds it and JSON Schema's (ECMA 262) does not.
WEB_URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\x85/?#@\x00-\x1f\x7f]+([/?#][^\s\x85\x00-\x1f\x7f]*)?$"
)
_WEB_URL = re.compile(WEB_URL_PATTERN)


class WebUrlField(serializers.CharField):
    """An http or https URL a person or a player will open (thumbnails, embeds, files)."""

    default_error_messages = {
        "invalid_url": "Give an absolute http(s) URL with a host, without spaces or credentials."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value and not _WEB_URL.match(value):
            self.fail("invalid_url")
        return value


class WebUrlFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WebUrlField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = WEB_URL_PATTERN
        return schema


class TimezoneField(serializers.CharField):
    """An IANA time zone name (backward-compatible links such as ``US/Pacific`` too). A
    string with the rule in its description, not an enum: six hundred names in every schema
    that shows the field made the API docs page too heavy to render."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "An IANA time zone name, e.g. Europe/Berlin.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not is_time_zone(value):
            raise ValidationError(f"{value!r} is not an IANA time zone.", code="invalid_timezone")
        return value
