"""What is sent: the JSON envelope and the Standard Webhooks headers."""

import base64
from datetime import UTC, datetime

from apps.core.models import Event
from apps.webhooks import event_types, signing
from apps.webhooks.models import Webhook

USER_AGENT = "Lyceum-Webhooks/1.0"


def iso(moment: datetime) -> str:
    """The API's time format; isoformat zero-pads years before 1000, strftime's %Y does not."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def envelope(event: Event, webhook_id: str, attempt: int) -> dict:
    """The JSON body of a delivery: the event plus which webhook and attempt this is."""
    body = {
        "id": event.id,
        "type": event.type,
        "created_at": iso(event.created_at),
        "data": event.payload,
        "metadata": {"webhook_id": webhook_id, "attempt": attempt},
    }
    alias = event_types.alias_of(event.type)
    if alias:
        body["event_type"] = alias
    return body


def signing_secrets(webhook: Webhook, now: datetime) -> list[str]:
    """The current secret, plus the previous one during the 24 h after a rotation."""
    found = [webhook.secret]
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires and expires > now:
        found.append(webhook.previous_secret)
    return found


def request_headers(
    webhook: Webhook, event_id: str, body: bytes, now: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """The headers to send, and the same headers as logged (credentials redacted)."""
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            signing_secrets(webhook, now), event_id, timestamp, body
        ),
    }
    logged = dict(headers)
    if webhook.basic_auth_username:
        pair = f"{webhook.basic_auth_username}:{webhook.basic_auth_password}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        logged["Authorization"] = "Basic [redacted]"
    return headers, logged
