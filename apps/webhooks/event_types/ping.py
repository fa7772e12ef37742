"""The one event the webhooks app sends itself: the test ``ping``."""

from apps.core.event_schemas import STR, obj
from apps.core.event_types import EventType

PING = "ping"

PING_TYPE = EventType(
    name=PING,
    description="Sent by POST /api/v1/webhooks/{id}/test to check an endpoint; never "
    "sent otherwise and cannot be subscribed to.",
    schema=obj({"message": STR, "webhook_id": STR}),
    sample={"message": "Lyceum webhook test", "webhook_id": "wh_01jd8x4k2m7q9r3t5v6w8y0z1v"},
    subscribable=False,
)
