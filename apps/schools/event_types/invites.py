"""Events of invitations to a domain."""

from apps.core.event_schemas import BOOL, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import DOMAIN_REF, SAMPLE_DOMAIN, SAMPLE_USER_REF

INVITE = obj(
    {
        "id": STR,
        "domain": DOMAIN_REF,
        "user": obj({"id": STR}),
        "send_email": BOOL,
        "expires_at": TIME,
    }
)
SAMPLE_INVITE = {
    "id": "inv_01jd8x4k2m7q9r3t5v6w8y0z1x",
    "domain": SAMPLE_DOMAIN,
    "user": {"id": SAMPLE_USER_REF["id"]},
    "send_email": True,
    "expires_at": "2026-02-15T10:00:00.000000Z",
}

INVITE_CREATED = EventType(
    name="invite.created",
    description="A domain user was invited (with or without an invitation e-mail).",
    schema=INVITE,
    sample=SAMPLE_INVITE,
)
INVITE_ACCEPTED = EventType(
    name="invite.accepted",
    description="An invited user accepted the invitation.",
    schema=INVITE,
    sample=SAMPLE_INVITE,
)

EVENT_TYPES = (INVITE_CREATED, INVITE_ACCEPTED)
