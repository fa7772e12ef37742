from datetime import datetime
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import parse_query_datetime
from apps.webhooks import event_types
from apps.webhooks.codes import WebhookErrorCode
from apps.webhooks.delivery import iso
from apps.webhooks.models import Delivery, DeliveryAttempt, DeliveryError, Webhook
from apps.webhooks.signing import SECRET_PATTERN

MAX_EVENTS = 100
ERROR_CODE_HELP = (
    "The failure's category, empty on success: blocked (target not allowed), dns, refused, "
    "timeout, tls, connection, protocol (not an HTTP answer), too_large, redirect, "
    "http_status (see status_code), internal, webhook_disabled. The network's own error "
    "text is never shown."
)


def event_type_of(events: list[str]) -> str | None:
    """Skilljar's single ``event_type``: null for all events, else the one name it holds."""
    if len(events) != 1:
        return None
    return event_types.alias_of(events[0]) or events[0]


class WebhookSerializer(ModelSerializer):
    """A webhook endpoint (Skilljar's fields first); the secret is never shown again."""

    event_type = serializers.SerializerMethodField(
        help_text="Skilljar's filter: null = every event; the one event when `events` holds "
        "exactly one (its Skilljar alias when it has one)."
    )
    events = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Canonical event names sent to this endpoint; empty = every event.",
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "target_url",
            "event_type",
            "events",
            "active",
            "deactivate_reason",
            "description",
            "basic_auth_username",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_event_type(self, webhook: Webhook) -> str | None:
        return event_type_of(webhook.events)


class WebhookWithSecretSerializer(WebhookSerializer):
    """A webhook with its signing secret: answered on create and on rotation only."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class EventNameField(serializers.CharField):
    """An event a webhook can subscribe to: a dotted name or a Skilljar alias (aliases in
    any letter case)."""


class EventNameFieldSchema(OpenApiSerializerFieldExtension):
    """The schema lists the catalogue's names, so clients and fuzzers know them."""

    target_class = EventNameField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        schema = {"type": "string", "enum": event_types.subscribable_names()}
        if self.target.allow_null:
            schema["nullable"] = True
        return schema


@extend_schema_field({"type": "string", "pattern": SECRET_PATTERN, "maxLength": 120})
class SecretField(serializers.CharField):
    """A signing secret; the schema carries the rule ``signing.secret_key`` checks."""


class WebhookWriteSerializer(Serializer):
    """Input of create (target_url required) and of PUT/PATCH (every field optional)."""

    target_url = serializers.CharField(max_length=2048, trim_whitespace=True)
    active = serializers.BooleanField(required=False)
    events = serializers.ListField(
        child=EventNameField(max_length=100),
        required=False,
        max_length=MAX_EVENTS,
        help_text="Event names (dotted, or Skilljar aliases); empty = every event.",
    )
    event_type = EventNameField(
        max_length=100,
        required=False,
        allow_null=True,
        help_text="Skilljar's single filter: one event name or alias, or null for all events.",
    )
    basic_auth_username = serializers.CharField(max_length=255, required=False, allow_blank=True)
    basic_auth_password = serializers.CharField(
        max_length=255, required=False, allow_blank=True, write_only=True, trim_whitespace=False
    )
    secret = SecretField(
        max_length=120,
        required=False,
        write_only=True,
        help_text="whsec_ + base64 of 24-64 random bytes; generated when omitted.",
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WebhookUpdateSerializer(WebhookWriteSerializer):
    """Input of PUT and PATCH: both are partial updates, so nothing is required."""

    read_shape = WebhookSerializer

    target_url = serializers.CharField(max_length=2048, trim_whitespace=True, required=False)


class RotateSecretSerializer(Serializer):
    secret = SecretField(
        max_length=120,
        required=False,
        help_text="The new secret (whsec_ + base64 of 24-64 random bytes); generated when omitted.",
    )


class DeliveryAttemptSerializer(ModelSerializer):
    error_code = serializers.ChoiceField(
        choices=DeliveryError.choices, allow_blank=True, read_only=True, help_text=ERROR_CODE_HELP
    )

    class Meta:
        model = DeliveryAttempt
        fields = [
            "id",
            "number",
            "outcome",
            "started_at",
            "request_url",
            "request_headers",
            "status_code",
            "latency_ms",
            "response_headers",
            "response_body",
            "error",
            "error_code",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "error": {"help_text": "Why the attempt failed, in Lyceum's words (see error_code)."}
        }


class DeliverySerializer(ModelSerializer):
    """One event sent to one URL, with where it stands."""

    webhook_id = serializers.CharField(read_only=True)
    event_id = serializers.CharField(read_only=True)
    attempts_made = serializers.IntegerField(source="attempt_count", read_only=True)
    last_error_code = serializers.ChoiceField(
        choices=DeliveryError.choices, allow_blank=True, read_only=True, help_text=ERROR_CODE_HELP
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook_id",
            "event_id",
            "event_type",
            "target_url",
            "status",
            "attempts_made",
            "max_attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "last_error_code",
            "delivered_at",
            "is_test",
            "replay_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    """A delivery with the event it carries and every attempt (headers without secrets)."""

    event = serializers.SerializerMethodField()
    attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "event", "attempts"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "type": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "data": {"type": "object"},
            },
        }
    )
    def get_event(self, delivery: Delivery) -> dict:
        event = delivery.event
        return {
            "id": event.id,
            "type": event.type,
            "created_at": iso(event.created_at),
            "data": event.payload,
        }


class EventTypeSerializer(Serializer):
    type = serializers.CharField(source="name")
    event_type = serializers.CharField(
        source="alias", allow_null=True, help_text="Skilljar's name for it, if any."
    )
    description = serializers.CharField()
    subscribable = serializers.BooleanField()
    sample_path = serializers.SerializerMethodField()
    schema = serializers.JSONField(help_text="JSON Schema of the delivery's `data`.")

    def get_sample_path(self, item: event_types.EventType) -> str:
        return f"/api/v1/webhooks/sample-{item.slug}"


class EventTypeListSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = EventTypeSerializer(many=True)


class SampleDeliverySerializer(Serializer):
    """The JSON body a receiver gets (``event_type`` only for events Skilljar names)."""

    id = serializers.CharField()
    type = serializers.CharField()
    event_type = serializers.CharField(required=False)
    created_at = serializers.DateTimeField()
    data = serializers.JSONField()
    metadata = serializers.JSONField()


class ZonedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that names its zone, in UTC, read as ``updated_since`` is (DRF's
    own field would read a zone-less time in the server's zone); anything else, missing
    included, is 400 ``invalid_since``."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is empty or data is None:
            self.to_internal_value("")
        return super().validate_empty_values(data)

    def to_internal_value(self, value: Any) -> datetime:
        try:
            return parse_query_datetime(str(value))
        except ValueError as exc:
            raise serializers.ValidationError(
                f"Give an ISO 8601 time with a time zone, e.g. 2026-01-31T12:00:00Z ({exc})",
                code=WebhookErrorCode.INVALID_SINCE,
            ) from None


class ReplayOptionsSerializer(serializers.Serializer):
    """The query options of a bulk replay."""

    since = ZonedDateTimeField(
        help_text="Replay failed deliveries created at or after this ISO 8601 time."
    )
