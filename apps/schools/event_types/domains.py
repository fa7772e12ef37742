"""Events of access to the school's domains."""

from apps.core.event_schemas import BOOL, NSTR, NTIME, SAMPLE_TIME, STR, TIME, nullable, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import DOMAIN_REF, SAMPLE_DOMAIN, SAMPLE_USER_REF, USER_REF

DOMAIN_ENROLLMENT_CREATED = EventType(
    name="domain.enrollment.created",
    alias="DOMAIN_ENROLLMENT",
    description="A user joined one of the school's private domains.",
    schema=obj(
        {"user": USER_REF, "domain": DOMAIN_REF, "domain_access_code": NSTR}, ["user", "domain"]
    ),
    sample={"user": SAMPLE_USER_REF, "domain": SAMPLE_DOMAIN, "domain_access_code": "access"},
)
DOMAIN_ENROLLMENT_UPDATED = EventType(
    name="domain.enrollment.updated",
    description="A user's access to a domain changed (active flag, expiry or access code).",
    schema=obj(
        {
            "id": STR,
            "domain": DOMAIN_REF,
            "user": USER_REF,
            "active": BOOL,
            "marketing_optin": {"type": ["boolean", "null"]},
            "enrolled_at": TIME,
            "expires_at": NTIME,
            "access_code": nullable(obj({"id": STR, "code": STR, "pool": obj({"id": STR})})),
        }
    ),
    sample={
        "id": "dus_01jd8x4k2m7q9r3t5v6w8y0z1r",
        "domain": SAMPLE_DOMAIN,
        "user": SAMPLE_USER_REF,
        "active": True,
        "marketing_optin": None,
        "enrolled_at": SAMPLE_TIME,
        "expires_at": None,
        "access_code": None,
    },
)

EVENT_TYPES = (DOMAIN_ENROLLMENT_CREATED, DOMAIN_ENROLLMENT_UPDATED)
