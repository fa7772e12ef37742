"""Schemas and samples of the people and domains that several events carry."""

from apps.core.event_schemas import STR, TIME, obj

USER_REF = obj({"id": STR, "email": STR, "first_name": STR, "last_name": STR}, ["id", "email"])
DOMAIN_REF = obj({"id": STR, "name": STR})
USER = obj(
    {
        "id": STR,
        "email": STR,
        "first_name": STR,
        "last_name": STR,
        "role": STR,
        "status": {"enum": ["active", "suspended"]},
        "external_id": STR,
        "company": STR,
        "department": STR,
        "country": STR,
        "metadata": {"type": "object"},
        "tags": {"type": "array", "items": STR},
        "created_at": TIME,
        "updated_at": TIME,
    },
    ["id", "email", "status", "created_at", "updated_at"],
)

SAMPLE_USER_REF = {
    "id": "usr_01jd8x4k2m7q9r3t5v6w8y0z1a",
    "email": "jane@example.com",
    "first_name": "Jane",
    "last_name": "Doe",
}
SAMPLE_USER = {
    **SAMPLE_USER_REF,
    "role": "learner",
    "status": "active",
    "external_id": "emp-1042",
    "company": "Acme",
    "department": "Sales",
    "country": "US",
    "metadata": {"team": "north"},
    "tags": ["cohort-7"],
    "created_at": "2026-01-15T09:30:00.000000Z",
    "updated_at": "2026-01-15T09:30:00.000000Z",
}
SAMPLE_DOMAIN = {"id": "dom_01jd8x4k2m7q9r3t5v6w8y0z1d", "name": "learn.example.com"}
