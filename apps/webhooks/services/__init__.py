"""Writes of the webhooks app: endpoints, fan-out of events, pings, replays and pruning."""

from apps.webhooks.services.deliveries import (
    REPLAY_JOB_KIND,
    deliveries_prune,
    delivery_replay,
    event_fan_out,
    events_fan_out,
    webhook_replay_failed_run,
    webhook_replay_failed_start,
    webhook_test,
)
from apps.webhooks.services.endpoints import (
    UNSET,
    events_clean,
    secret_clean,
    target_url_clean,
    webhook_create,
    webhook_disable,
    webhook_enable,
    webhook_rotate_secret,
    webhook_update,
)
from apps.webhooks.services.removal import (
    DELETE_JOB_KIND,
    webhook_delete_run,
    webhook_delete_start,
)

__all__ = [
    "DELETE_JOB_KIND",
    "REPLAY_JOB_KIND",
    "UNSET",
    "deliveries_prune",
    "delivery_replay",
    "event_fan_out",
    "events_fan_out",
    "events_clean",
    "secret_clean",
    "target_url_clean",
    "webhook_create",
    "webhook_delete_run",
    "webhook_delete_start",
    "webhook_disable",
    "webhook_enable",
    "webhook_replay_failed_run",
    "webhook_replay_failed_start",
    "webhook_rotate_secret",
    "webhook_test",
    "webhook_update",
]
