"""Serializer bases every API serializer builds on, and the core API's own serializers.

``Serializer`` and ``ModelSerializer`` refuse body keys that are not fields of the resource
(400 ``unknown_field`` naming each): a misspelt key (``enforced`` for ``enforce``) used to be
dropped in silence, so the client believed a setting was saved that never was. Serializers
of new apps get the rule by deriving from these bases (a test walks every request body).
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from apps.core.codes import CoreErrorCode
from apps.core.models import Event, Job


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


class StrictFieldsSchema(OpenApiSerializerExtension):
    """The schema states the rule: a request body allows only the serializer's fields (and,
    for a serializer with a ``read_shape``, the read shape's, marked read-only: accepted and
    ignored), ``additionalProperties: false``."""

    target_class = StrictFieldsMixin
    match_subclasses = True

    def map_serializer(self, auto_schema, direction: str) -> dict:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request" or schema.get("type") != "object":
            return schema
        properties = schema.setdefault("properties", {})
        shapes = [type(self.target)]
        if self.target.read_shape is not None:
            shapes.append(self.target.read_shape)
        for shape in shapes:
            shown = auto_schema._map_serializer(shape(), "response", bypass_extensions=True)
            for name, value in shown.get("properties", {}).items():
                if name not in properties:
                    properties[name] = {**value, "readOnly": True}
        schema["additionalProperties"] = False
        return schema


def _unknown_errors(keys: list[str]) -> dict[str, list[ErrorDetail]]:
    return {
        key: [ErrorDetail("This resource has no such field.", code=CoreErrorCode.UNKNOWN_FIELD)]
        for key in keys
    }


class Serializer(StrictFieldsMixin, serializers.Serializer):
    """``serializers.Serializer`` that refuses unknown body keys."""


class ModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """``serializers.ModelSerializer`` that refuses unknown body keys."""


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
