"""Events of the school's accounts."""

from apps.core.event_schemas import STR, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER, SAMPLE_USER_REF, USER

USER_CREATED = EventType(
    name="user.created",
    description="A user joined the school (API, admin, sign-up or import).",
    schema=USER,
    sample=SAMPLE_USER,
)
USER_UPDATED = EventType(
    name="user.updated",
    description="A user's identity, school facts or tags changed.",
    schema=USER,
    sample=SAMPLE_USER,
)
USER_SUSPENDED = EventType(
    name="user.suspended",
    description="A user was suspended in the school.",
    schema=USER,
    sample={**SAMPLE_USER, "status": "suspended"},
)
USER_ANONYMIZED = EventType(
    name="user.anonymized",
    description="A user's personal data was erased: e-mail, names, password and the "
    "school's facts about them (learning records stay).",
    schema=obj({"id": STR}),
    sample={"id": SAMPLE_USER_REF["id"]},
)

EVENT_TYPES = (USER_CREATED, USER_UPDATED, USER_SUSPENDED, USER_ANONYMIZED)
