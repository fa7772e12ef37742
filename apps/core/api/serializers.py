"""Serializer bases every API serializer builds on, and the core API's own serializers.

``Serializer`` and ``ModelSerializer`` refuse body keys that are not fields of the resource
(400 ``unknown_field`` naming each): a misspelt key (``enforced`` for ``enforce``) used to be
dropped in silence, so the client believed a setting was saved that never was. Serializers
of new apps get the rule by deriving from these bases (a test walks every request body).
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from apps.core.codes import CoreErrorCode
from apps.core.models import Event, Job
from apps.core.validators import CONTROL_CHARACTERS, refuse_control_characters

# JSON Schema (ECMA 262) spelling of "no control character anywhere".
LABEL_PATTERN = "^[^" + CONTROL_CHARACTERS.pattern[1:-1] + "]*$"


class StrictFieldsMixin:
    """Refuse keys that are neither fields of this serializer nor of its ``read_shape``.

    ``read_shape`` names the serializer that shows the resource (what GET answers): on a
    partial update (every PUT and PATCH in Lyceum) its keys are accepted and ignored, so a
    client may send back what it read. Nested serializers apply the rule to their own keys.
    """

    read_shape: ClassVar[type[serializers.BaseSerializer] | None] = None

    def to_internal_value(self, data: Any) -> Any:
        unknown = self.unknown_keys(data)
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not unknown or not isinstance(exc.detail, dict):
                raise
            raise ValidationError({**_unknown_errors(unknown), **exc.detail}) from None
        if unknown:
            raise ValidationError(_unknown_errors(unknown))
        return value

    def unknown_keys(self, data: Any) -> list[str]:
        """The keys of ``data`` this serializer does not know, in the order sent."""
        if not isinstance(data, Mapping):
            return []
        known = set(self.fields)
        if self.read_shape is not None and getattr(self.root, "partial", False):
            known |= set(self.read_shape().fields)
        return [key for key in data if key not in known]


def _unknown_errors(keys: list[str]) -> dict[str, list[ErrorDetail]]:
    return {
        key: [ErrorDetail("This resource has no such field.", code=CoreErrorCode.UNKNOWN_FIELD)]
        for key in keys
    }


class Serializer(StrictFieldsMixin, serializers.Serializer):
    """``serializers.Serializer`` that refuses unknown body keys."""


class ModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """``serializers.ModelSerializer`` that refuses unknown body keys."""


class LabelField(serializers.CharField):
    """One line of text (a tag, a name, a label): control characters are 400 naming it,
    also at either end (checked before surrounding spaces are trimmed)."""

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
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
            schema["pattern"] = LABEL_PATTERN
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


class JobSerializer(ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "result",
            "error",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: Job) -> dict[str, int | None]:
        return {"done": job.progress_done, "total": job.progress_total}


class EventSerializer(ModelSerializer):
    data = serializers.JSONField(source="payload")

    class Meta:
        model = Event
        fields = ["id", "type", "data", "created_at"]
        read_only_fields = fields


class PingSerializer(Serializer):
    status = serializers.CharField()
