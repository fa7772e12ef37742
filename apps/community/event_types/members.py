"""Events of space members."""

from apps.core.event_schemas import NTIME, SAMPLE_TIME, STR, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

SPACE_MEMBER = obj(
    {
        "id": STR,
        "space": obj({"id": STR, "title": STR}),
        "user": USER_REF,
        "role": {"enum": ["member", "moderator"]},
        "joined_at": NTIME,
    }
)
SAMPLE_SPACE_MEMBER = {
    "id": "spm_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "space": {"id": "spc_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift drivers"},
    "user": SAMPLE_USER_REF,
    "role": "member",
    "joined_at": SAMPLE_TIME,
}

COMMUNITY_MEMBER_ADDED = EventType(
    name="community.member.added",
    description="Someone became an active member of a community space: added by staff to a "
    "space that takes no invitations, accepting an invitation, or joining.",
    schema=SPACE_MEMBER,
    sample=SAMPLE_SPACE_MEMBER,
)

EVENT_TYPES = (COMMUNITY_MEMBER_ADDED,)
