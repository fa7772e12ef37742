"""Events of certificates: issued (on completion, by staff, or as a reissue) and revoked."""

from apps.core.event_schemas import NSTR, NTIME, SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

CERTIFICATE = obj(
    {
        "id": STR,
        "credential_id": STR,
        "user": USER_REF,
        "user_name": STR,
        "course": obj({"id": STR, "title": STR}),
        "issued_at": TIME,
        "revoked_at": NTIME,
        "revoke_reason": STR,
        "replaces": NSTR,
        "replaced_by": NSTR,
        "verification_url": STR,
    }
)
SAMPLE_CERTIFICATE = {
    "id": "crt_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "credential_id": "K3F9-2QXA-7M4T-HV8C",
    "user": SAMPLE_USER_REF,
    "user_name": "Jane Doe",
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift Safety"},
    "issued_at": SAMPLE_TIME,
    "revoked_at": None,
    "revoke_reason": "",
    "replaces": None,
    "replaced_by": None,
    "verification_url": "https://learn.example.com/verify/crt_01jd8x4k2m7q9r3t5v6w8y0z1s",
}

CERTIFICATE_ISSUED = EventType(
    name="certificate.issued",
    description="A certificate was issued: on course completion, by staff, or as the "
    "replacement of a reissued one (then ``replaces`` names the old one).",
    schema=CERTIFICATE,
    sample=SAMPLE_CERTIFICATE,
)
CERTIFICATE_REVOKED = EventType(
    name="certificate.revoked",
    description="A certificate was revoked (``replaced_by`` names its replacement when it "
    "was reissued); it stays readable, marked revoked.",
    schema=CERTIFICATE,
    sample={**SAMPLE_CERTIFICATE, "revoked_at": SAMPLE_TIME, "revoke_reason": "Issued in error"},
)

EVENT_TYPES = (CERTIFICATE_ISSUED, CERTIFICATE_REVOKED)
