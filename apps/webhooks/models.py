"""Webhooks: the endpoints a school registers, and the log of every delivery and attempt."""

from django.db import models

from apps.core.http import FailureKind
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class DeliveryError(models.TextChoices):
    """Why an attempt failed: a category, never the receiver's or the network's own words
    (those would let a school probe the ports of any host it names as a target)."""

    BLOCKED = FailureKind.BLOCKED.value, "Target not allowed"
    DNS = FailureKind.DNS.value, "Host name does not resolve"
    REFUSED = FailureKind.REFUSED.value, "Connection refused"
    TIMEOUT = FailureKind.TIMEOUT.value, "Timed out"
    TLS = FailureKind.TLS.value, "TLS failure"
    CONNECTION = FailureKind.CONNECTION.value, "Connection failed"
    PROTOCOL = FailureKind.PROTOCOL.value, "Not an HTTP answer"
    TOO_LARGE = FailureKind.TOO_LARGE.value, "Answer too large"
    REDIRECT = "redirect", "Redirect not followed"
    HTTP_STATUS = "http_status", "Non-2xx status"
    INTERNAL = "internal", "Lyceum error"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook disabled"


class Webhook(SchoolOwnedModel):
    """A URL that receives the school's events (Skilljar's webhook, LearnFlow's endpoint)."""

    id = PrefixedIdField(prefix="wh", primary_key=True)
    target_url = models.URLField(max_length=2048)
    active = models.BooleanField(default=True)
    # Canonical dotted event names; empty means every event.
    events = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=500, blank=True)
    basic_auth_username = models.CharField(max_length=255, blank=True)
    basic_auth_password = models.CharField(max_length=255, blank=True)
    secret = models.CharField(max_length=120)
    # After a rotation the previous secret still signs deliveries until it expires.
    previous_secret = models.CharField(max_length=120, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    deactivate_reason = models.TextField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Health, kept by the delivery engine.
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # No attempt starts before this time (Retry-After from the receiver).
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "active"], name="webhooks_wh_sc_active"),
        ]

    def __str__(self) -> str:
        return f"{self.target_url} ({self.id})"


class Delivery(SchoolOwnedModel):
    """One event sent to one URL: sent at most once per (event, URL), retried on schedule."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = PrefixedIdField(prefix="dlv", primary_key=True)
    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    target_url = models.URLField(max_length=2048)
    event_type = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    # Attempts made before the last replay; the backoff schedule counts from here.
    series_start = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=20, choices=DeliveryError.choices, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    is_test = models.BooleanField(default=False)
    replay_count = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "target_url"], name="webhooks_delivery_once_per_url"
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["webhook", "created_at"], name="webhooks_dlv_wh_created"),
            models.Index(fields=["webhook", "status", "created_at"], name="webhooks_dlv_wh_status"),
            models.Index(
                fields=["webhook", "event_type", "created_at"], name="webhooks_dlv_wh_type"
            ),
            models.Index(
                fields=["webhook", "next_attempt_at", "id"],
                name="webhooks_dlv_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_dlv_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["webhook", "lease_expires_at"],
                name="webhooks_dlv_sending",
                condition=models.Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.target_url} ({self.status})"


class DeliveryAttempt(SchoolOwnedModel):
    """One HTTP request of a delivery, as sent and as answered."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = PrefixedIdField(prefix="dla", primary_key=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    started_at = models.DateTimeField()
    request_url = models.URLField(max_length=2048)
    request_headers = models.JSONField(default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=20, choices=DeliveryError.choices, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["delivery", "number", "id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["delivery", "number"], name="webhooks_dla_delivery"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
