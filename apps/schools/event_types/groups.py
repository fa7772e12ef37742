"""Events of groups and their members."""

from apps.core.event_schemas import SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

GROUP_REF = obj({"id": STR, "name": STR})
SAMPLE_GROUP = {"id": "grp_01jd8x4k2m7q9r3t5v6w8y0z1s", "name": "Cohort 7"}
MEMBERSHIP = obj({"group": GROUP_REF, "user": USER_REF, "created_at": TIME})
SAMPLE_MEMBERSHIP = {"group": SAMPLE_GROUP, "user": SAMPLE_USER_REF, "created_at": SAMPLE_TIME}

GROUP_CREATED = EventType(
    name="group.created",
    description="A group was created (API, admin or import).",
    schema=GROUP_REF,
    sample=SAMPLE_GROUP,
)
GROUP_MEMBER_ADDED = EventType(
    name="group.member.added",
    description="A user was added to a group.",
    schema=MEMBERSHIP,
    sample=SAMPLE_MEMBERSHIP,
)
GROUP_MEMBER_REMOVED = EventType(
    name="group.member.removed",
    description="A user was removed from a group (``created_at``: when they had joined).",
    schema=MEMBERSHIP,
    sample=SAMPLE_MEMBERSHIP,
)

EVENT_TYPES = (GROUP_CREATED, GROUP_MEMBER_ADDED, GROUP_MEMBER_REMOVED)
