"""Events of cohorts."""

from apps.core.event_schemas import BOOL, NSTR, SAMPLE_TIME, STR, TIME, obj
from apps.core.event_types import EventType
from apps.schools.event_types.shapes import SAMPLE_USER_REF, USER_REF

COHORT_MEMBER = obj(
    {
        "id": STR,
        "cohort": obj(
            {
                "id": STR,
                "name": STR,
                "start_date": {"type": "string", "format": "date"},
                "space_id": STR,
            }
        ),
        "course": obj({"id": STR, "title": STR}),
        "user": USER_REF,
        "enrollment_id": NSTR,
        "enrolled": BOOL,
        "added_at": TIME,
    }
)
SAMPLE_COHORT_MEMBER = {
    "id": "chm_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "cohort": {
        "id": "coh_01jd8x4k2m7q9r3t5v6w8y0z1s",
        "name": "Spring 2026 forklift drivers",
        "start_date": "2026-03-02",
        "space_id": "spc_01jd8x4k2m7q9r3t5v6w8y0z1s",
    },
    "course": {"id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1s", "title": "Forklift safety"},
    "user": SAMPLE_USER_REF,
    "enrollment_id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1s",
    "enrolled": True,
    "added_at": SAMPLE_TIME,
}

COHORT_MEMBER_ADDED = EventType(
    name="cohort.member.added",
    description="Someone was added to a cohort (by staff, through the API or the admin): "
    "enrolled in its course unless already actively enrolled (``enrolled`` says whether this "
    "did it; ``enrollment_id`` is their active enrollment) and added to the cohort's space.",
    schema=COHORT_MEMBER,
    sample=SAMPLE_COHORT_MEMBER,
)

EVENT_TYPES = (COHORT_MEMBER_ADDED,)
