"""Events of posts and comments."""

from apps.core.event_schemas import NSTR, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

POST = obj(
    {
        "id": STR,
        "space": obj({"id": STR, "title": STR}),
        # Null when staff posted through an API key.
        "author": nullable(USER_REF),
        "title": STR,
        "body": STR,
        "tags": {"type": "array", "items": STR},
        "created_at": TIME,
    }
)
SAMPLE_POST = {
    "id": "pst_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "space": {"id": "spc_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift drivers"},
    "author": SAMPLE_USER_REF,
    "title": "Night shift checklist",
    "body": "<p>What do you check before the first lift?</p>",
    "tags": ["safety"],
    "created_at": SAMPLE_TIME,
}

COMMENT = obj(
    {
        "id": STR,
        "post": obj({"id": STR, "space_id": STR}),
        # The top-level comment a reply answers; null for a top-level comment.
        "parent_id": NSTR,
        "author": nullable(USER_REF),
        "body": STR,
        "created_at": TIME,
    }
)
SAMPLE_COMMENT = {
    "id": "cmt_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "post": {"id": "pst_01jd8x4k2m7q9r3t5v6w8y0z1s", "space_id": "spc_01jd8x4k2m7q9r3t5v6w8y0z1s"},
    "parent_id": None,
    "author": SAMPLE_USER_REF,
    "body": "<p>Forks, chains and the horn.</p>",
    "created_at": SAMPLE_TIME,
}

COMMUNITY_POST_CREATED = EventType(
    name="community.post.created",
    description="A post was written in a community space (by a member or by staff).",
    schema=POST,
    sample=SAMPLE_POST,
)
COMMUNITY_COMMENT_CREATED = EventType(
    name="community.comment.created",
    description="A comment or a reply was written on a community post.",
    schema=COMMENT,
    sample=SAMPLE_COMMENT,
)

EVENT_TYPES = (COMMUNITY_POST_CREATED, COMMUNITY_COMMENT_CREATED)
