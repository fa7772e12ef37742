# Failures are logged by category (error_code) with Lyceum's own fixed sentence; the raw
# network text stored before (an SSH banner read as a status line, OpenSSL messages) is
# rewritten, since the API shows these fields to the school that chose the target.

import re

from django.db import migrations, models

ERROR_CHOICES = [
    ("blocked", "Target not allowed"),
    ("dns", "Host name does not resolve"),
    ("refused", "Connection refused"),
    ("timeout", "Timed out"),
    ("tls", "TLS failure"),
    ("connection", "Connection failed"),
    ("protocol", "Not an HTTP answer"),
    ("too_large", "Answer too large"),
    ("redirect", "Redirect not followed"),
    ("http_status", "Non-2xx status"),
    ("internal", "Lyceum error"),
    ("webhook_disabled", "Webhook disabled"),
]

# The texts apps.webhooks.delivery.attempts writes (copied: migrations must not import code
# that changes later).
TEXT = {
    "blocked": "The target is not allowed (not a public address, or a URL this server refuses).",
    "dns": "The target's host name does not resolve.",
    "refused": "The receiver refused the connection.",
    "timeout": "The receiver timed out.",
    "tls": "The TLS handshake or the certificate check failed.",
    "connection": "The connection failed or was closed without an answer.",
    "too_large": "The receiver's answer is over the 1 MiB limit.",
    "internal": "Lyceum could not send this attempt; it is retried on schedule.",
}
REDIRECT = re.compile(r"^Redirect \((\d{3})\) to .* not followed\.$", re.DOTALL)
BATCH = 1000


def legacy(text: str) -> tuple[str, str] | None:
    """(code, safe text) for a failure text the earlier code wrote, None if already safe."""
    if text.startswith("The receiver answered "):
        return "http_status", text
    if match := REDIRECT.match(text):
        return "redirect", f"The receiver answered {match[1]} (a redirect, not followed)."
    if text.startswith("Target refused: "):
        code = "dns" if text.endswith("does not resolve.") else "blocked"
        return code, TEXT[code]
    if text == "timed out":
        code = "timeout"
    elif text == "connection refused" or "Connection refused" in text:
        code = "refused"
    elif text.startswith("TLS error: "):
        code = "tls"
    elif text.startswith("connection failed: "):
        code = "connection"
    elif text.startswith("response body ") and text.endswith("-byte limit"):
        code = "too_large"
    elif text.startswith("Unexpected error: "):
        code = "internal"
    else:
        return None
    return code, TEXT[code]


def with_safe_tail(text: str | None) -> str | None:
    """A reason ending in "; last error: <raw>" with the raw part made safe."""
    if not text or "last error: " not in text:
        return text
    head, _, tail = text.partition("last error: ")
    found = legacy(tail)
    return f"{head}last error: {found[1]}" if found else text


def rewrite(apps, schema_editor) -> None:
    Attempt = apps.get_model("webhooks", "DeliveryAttempt")
    Delivery = apps.get_model("webhooks", "Delivery")
    Webhook = apps.get_model("webhooks", "Webhook")
    changed = []
    for attempt in Attempt.objects.exclude(error="").only("id", "error").iterator(BATCH):
        found = legacy(attempt.error)
        if found:
            attempt.error_code, attempt.error = found
            changed.append(attempt)
        if len(changed) >= BATCH:
            Attempt.objects.bulk_update(changed, ["error", "error_code"])
            changed = []
    Attempt.objects.bulk_update(changed, ["error", "error_code"])
    changed = []
    for delivery in Delivery.objects.exclude(last_error="").only("id", "last_error").iterator(
        BATCH
    ):
        if delivery.last_error.startswith(("The webhook was disabled", "The webhook is inact")):
            delivery.last_error_code = "webhook_disabled"
            delivery.last_error = with_safe_tail(delivery.last_error)
        elif found := legacy(delivery.last_error):
            delivery.last_error_code, delivery.last_error = found
        else:
            continue
        changed.append(delivery)
        if len(changed) >= BATCH:
            Delivery.objects.bulk_update(changed, ["last_error", "last_error_code"])
            changed = []
    Delivery.objects.bulk_update(changed, ["last_error", "last_error_code"])
    for webhook in Webhook.objects.only("id", "last_error", "deactivate_reason").iterator(BATCH):
        found = legacy(webhook.last_error)
        last_error = found[1] if found else webhook.last_error
        reason = with_safe_tail(webhook.deactivate_reason)
        if last_error != webhook.last_error or reason != webhook.deactivate_reason:
            Webhook.objects.filter(id=webhook.id).update(
                last_error=last_error, deactivate_reason=reason
            )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="last_error_code",
            field=models.CharField(blank=True, choices=ERROR_CHOICES, max_length=20),
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="error_code",
            field=models.CharField(blank=True, choices=ERROR_CHOICES, max_length=20),
        ),
        migrations.RunPython(rewrite, migrations.RunPython.noop),
    ]
