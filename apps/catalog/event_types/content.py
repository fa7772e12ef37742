"""Events of web packages (imports that finish after the request)."""

from apps.core.event_schemas import NSTR, STR, obj
from apps.core.event_types import EventType

WEB_PACKAGE = obj(
    {
        "id": STR,
        "title": STR,
        "type": NSTR,
        "version": NSTR,
        "state": {"type": "string", "enum": ["PROCESSING", "READY", "FAILED"]},
        "failure_reason": NSTR,
    }
)
SAMPLE_READY = {
    "id": "wpk_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "title": "Forklift Operation",
    "type": "SCORM",
    "version": "2004 4th Edition",
    "state": "READY",
    "failure_reason": None,
}
SAMPLE_FAILED = {
    **SAMPLE_READY,
    "type": None,
    "version": None,
    "state": "FAILED",
    "failure_reason": "member '../evil.html' climbs out of the package with '..'",
}

WEB_PACKAGE_PROCESSED = EventType(
    name="web_package.processed",
    description="A web package was imported: its type, version and launch file are known.",
    schema=WEB_PACKAGE,
    sample=SAMPLE_READY,
)
WEB_PACKAGE_FAILED = EventType(
    name="web_package.failed",
    description="A web package could not be imported; failure_reason says why.",
    schema=WEB_PACKAGE,
    sample=SAMPLE_FAILED,
)

EVENT_TYPES = (WEB_PACKAGE_PROCESSED, WEB_PACKAGE_FAILED)
