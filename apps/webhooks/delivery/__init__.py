"""The delivery engine: leases, the HTTP attempt, the retry schedule and the pump.

A delivery is sent by whoever holds its lease. ``delivery_run`` (the ``webhooks.deliver``
task) claims the delivery it was queued for, sends it, records the attempt, then keeps
draining that webhook's other due deliveries for a short budget, so a busy endpoint is
served by one warm worker instead of a task per message. Claims happen under a lock on
the webhook row and refuse to start more than ``WEBHOOKS_ENDPOINT_CONCURRENCY`` attempts
at once per webhook: a slow or dead receiver holds at most that many workers.

Failures are retried on a schedule kept in the database (``next_attempt_at``): exponential
backoff with ±20 % jitter, ``WEBHOOKS_MAX_ATTEMPTS`` attempts spread over
``WEBHOOKS_RETRY_WINDOW_SECONDS``. The ``webhooks.pump`` periodic task queues what is due
and returns expired leases (a worker that died mid-attempt) to the queue; a redelivered
task reclaims the attempt its killed run had leased at once. Either way the receiver sees
the same ``webhook-id``.
"""

from apps.webhooks.delivery.attempts import (
    KEEP_BYTES,
    MAX_RESPONSE_BYTES,
    Result,
    attempt,
    record,
    record_successes,
)
from apps.webhooks.delivery.leases import (
    Claim,
    claim,
    claim_batch,
    endpoint_limit,
    new_owner,
    release,
)
from apps.webhooks.delivery.payload import envelope, iso, request_headers, signing_secrets
from apps.webhooks.delivery.runner import delivery_run, in_flight, pump, queue, wake
from apps.webhooks.delivery.schedule import next_delay, retry_after, retry_delays

__all__ = [
    "KEEP_BYTES",
    "MAX_RESPONSE_BYTES",
    "Claim",
    "Result",
    "attempt",
    "claim",
    "claim_batch",
    "delivery_run",
    "endpoint_limit",
    "envelope",
    "in_flight",
    "iso",
    "new_owner",
    "next_delay",
    "pump",
    "queue",
    "record",
    "record_successes",
    "release",
    "request_headers",
    "retry_after",
    "retry_delays",
    "signing_secrets",
    "wake",
]
