"""The entries: JSON Schemas of each event's ``data`` and a sample of it."""

from typing import Any

from apps.webhooks.event_types.base import PING, EventType


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = required if required is not None else list(properties)
    schema["additionalProperties"] = True
    return schema


STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
USER_REF = _obj(
    {"id": STR, "email": STR, "first_name": STR, "last_name": STR},
    ["id", "email"],
)
COURSE_REF = _obj({"id": STR, "title": STR, "published_course_id": NSTR, "url": NSTR}, ["id"])
DOMAIN_REF = _obj({"id": STR, "name": STR})
PATH_REF = _obj({"id": STR, "title": STR, "published_path_id": NSTR}, ["id"])
PURCHASE = _obj(
    {
        "order_id": STR,
        "original_price": MONEY,
        "purchase_price": MONEY,
        "currency_code": STR,
        "payment_processor": STR,
    },
    ["order_id", "purchase_price", "currency_code"],
)
NPURCHASE = {"anyOf": [PURCHASE, {"type": "null"}]}

USER = _obj(
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

S_USER = {
    "id": "usr_01jd8x4k2m7q9r3t5v6w8y0z1a",
    "email": "jane@example.com",
    "first_name": "Jane",
    "last_name": "Doe",
}
S_USER_FULL = {
    **S_USER,
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
S_COURSE = {
    "id": "crs_01jd8x4k2m7q9r3t5v6w8y0z1b",
    "published_course_id": "pcr_01jd8x4k2m7q9r3t5v6w8y0z1c",
    "title": "Example Course",
    "url": "https://learn.example.com/example-course",
}
S_DOMAIN = {"id": "dom_01jd8x4k2m7q9r3t5v6w8y0z1d", "name": "learn.example.com"}
S_PATH = {
    "id": "pth_01jd8x4k2m7q9r3t5v6w8y0z1e",
    "published_path_id": "ppt_01jd8x4k2m7q9r3t5v6w8y0z1f",
    "title": "Onboarding Path",
}
S_PURCHASE = {
    "order_id": "ord_01jd8x4k2m7q9r3t5v6w8y0z1g",
    "original_price": "100.00",
    "purchase_price": "80.00",
    "currency_code": "USD",
    "payment_processor": "STRIPE",
}
T = "2026-01-15T10:00:00.000000Z"

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        name="user.created",
        description="A user joined the school (API, admin, sign-up or import).",
        schema=USER,
        sample=S_USER_FULL,
    ),
    EventType(
        name="user.updated",
        description="A user's identity, school facts or tags changed.",
        schema=USER,
        sample=S_USER_FULL,
    ),
    EventType(
        name="user.suspended",
        description="A user was suspended in the school.",
        schema=USER,
        sample={**S_USER_FULL, "status": "suspended"},
    ),
    EventType(
        name="user.anonymized",
        description="A user's personal data was erased: e-mail, names, password and the "
        "school's facts about them (learning records stay).",
        schema=_obj({"id": STR}),
        sample={"id": S_USER["id"]},
    ),
    EventType(
        name="enrollment.created",
        alias="COURSE_ENROLLMENT",
        description="A user enrolled in a course.",
        schema=_obj(
            {
                "enrollment": _obj({"id": STR, "enrolled_at": TIME, "expires_at": NTIME}),
                "user": USER_REF,
                "course": COURSE_REF,
                "domain": {"anyOf": [DOMAIN_REF, {"type": "null"}]},
                "purchase": NPURCHASE,
                "domain_access_code": NSTR,
            },
            ["enrollment", "user", "course"],
        ),
        sample={
            "enrollment": {
                "id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1h",
                "enrolled_at": T,
                "expires_at": None,
            },
            "user": S_USER,
            "course": S_COURSE,
            "domain": S_DOMAIN,
            "purchase": {**S_PURCHASE, "purchase_price": "0.00", "payment_processor": "NONE"},
            "domain_access_code": "access",
        },
    ),
    EventType(
        name="enrollment.completed",
        alias="COURSE_COMPLETION",
        description="A user completed a course.",
        schema=_obj(
            {
                "enrollment": _obj({"id": STR, "completed_at": TIME}),
                "user": USER_REF,
                "course": COURSE_REF,
                "domain": {"anyOf": [DOMAIN_REF, {"type": "null"}]},
                "success": {"type": ["boolean", "null"]},
                "score": {"type": ["number", "null"]},
                "certificate_id": NSTR,
            },
            ["enrollment", "user", "course"],
        ),
        sample={
            "enrollment": {"id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1h", "completed_at": T},
            "user": S_USER,
            "course": S_COURSE,
            "domain": S_DOMAIN,
            "success": True,
            "score": 92.5,
            "certificate_id": "crt_01jd8x4k2m7q9r3t5v6w8y0z1j",
        },
    ),
    EventType(
        name="enrollment.progress_updated",
        description="A user's progress in a course changed.",
        schema=_obj(
            {
                "enrollment": _obj({"id": STR, "progress_percent": {"type": "number"}}),
                "user": USER_REF,
                "course": COURSE_REF,
            }
        ),
        sample={
            "enrollment": {"id": "enr_01jd8x4k2m7q9r3t5v6w8y0z1h", "progress_percent": 40},
            "user": S_USER,
            "course": S_COURSE,
        },
    ),
    EventType(
        name="domain.enrollment.created",
        alias="DOMAIN_ENROLLMENT",
        description="A user joined one of the school's private domains.",
        schema=_obj(
            {"user": USER_REF, "domain": DOMAIN_REF, "domain_access_code": NSTR},
            ["user", "domain"],
        ),
        sample={"user": S_USER, "domain": S_DOMAIN, "domain_access_code": "access"},
    ),
    EventType(
        name="domain.enrollment.updated",
        description="A user's access to a domain changed (active flag, expiry or access code).",
        schema=_obj(
            {
                "id": STR,
                "domain": DOMAIN_REF,
                "user": USER_REF,
                "active": {"type": "boolean"},
                "marketing_optin": {"type": ["boolean", "null"]},
                "enrolled_at": TIME,
                "expires_at": NTIME,
                "access_code": {
                    "anyOf": [
                        _obj({"id": STR, "code": STR, "pool": _obj({"id": STR})}),
                        {"type": "null"},
                    ]
                },
            }
        ),
        sample={
            "id": "dus_01jd8x4k2m7q9r3t5v6w8y0z1r",
            "domain": S_DOMAIN,
            "user": S_USER,
            "active": True,
            "marketing_optin": None,
            "enrolled_at": T,
            "expires_at": None,
            "access_code": None,
        },
    ),
    EventType(
        name="group.created",
        description="A group was created (API, admin or import).",
        schema=_obj({"id": STR, "name": STR}),
        sample={"id": "grp_01jd8x4k2m7q9r3t5v6w8y0z1s", "name": "Cohort 7"},
    ),
    EventType(
        name="group.member.added",
        description="A user was added to a group.",
        schema=_obj(
            {"group": _obj({"id": STR, "name": STR}), "user": USER_REF, "created_at": TIME}
        ),
        sample={
            "group": {"id": "grp_01jd8x4k2m7q9r3t5v6w8y0z1s", "name": "Cohort 7"},
            "user": S_USER,
            "created_at": T,
        },
    ),
    EventType(
        name="group.member.removed",
        description="A user was removed from a group (``created_at``: when they had joined).",
        schema=_obj(
            {"group": _obj({"id": STR, "name": STR}), "user": USER_REF, "created_at": TIME}
        ),
        sample={
            "group": {"id": "grp_01jd8x4k2m7q9r3t5v6w8y0z1s", "name": "Cohort 7"},
            "user": S_USER,
            "created_at": T,
        },
    ),
    EventType(
        name="invite.created",
        description="A domain user was invited (with or without an invitation e-mail).",
        schema=_obj(
            {
                "id": STR,
                "domain": DOMAIN_REF,
                "user": _obj({"id": STR}),
                "send_email": {"type": "boolean"},
                "expires_at": TIME,
            }
        ),
        sample={
            "id": "inv_01jd8x4k2m7q9r3t5v6w8y0z1x",
            "domain": S_DOMAIN,
            "user": {"id": S_USER["id"]},
            "send_email": True,
            "expires_at": "2026-02-15T10:00:00.000000Z",
        },
    ),
    EventType(
        name="invite.accepted",
        description="An invited user accepted the invitation.",
        schema=_obj(
            {
                "id": STR,
                "domain": DOMAIN_REF,
                "user": _obj({"id": STR}),
                "send_email": {"type": "boolean"},
                "expires_at": TIME,
            }
        ),
        sample={
            "id": "inv_01jd8x4k2m7q9r3t5v6w8y0z1x",
            "domain": S_DOMAIN,
            "user": {"id": S_USER["id"]},
            "send_email": True,
            "expires_at": "2026-02-15T10:00:00.000000Z",
        },
    ),
    EventType(
        name="lesson.completed",
        alias="LESSON_COMPLETION",
        description="A user completed a lesson.",
        schema=_obj(
            {
                "lesson": _obj({"id": STR, "title": STR, "type": STR}, ["id"]),
                "user": USER_REF,
                "course": COURSE_REF,
                "completed_at": TIME,
            }
        ),
        sample={
            "lesson": {"id": "lsn_01jd8x4k2m7q9r3t5v6w8y0z1k", "title": "Intro", "type": "HTML"},
            "user": S_USER,
            "course": S_COURSE,
            "completed_at": T,
        },
    ),
    EventType(
        name="quiz.attempt.graded",
        alias="QUIZ_COMPLETION",
        description="A user's quiz attempt was graded.",
        schema=_obj(
            {
                "attempt": _obj(
                    {
                        "id": STR,
                        "score": {"type": "number"},
                        "passed": {"type": "boolean"},
                        "completed_at": TIME,
                    }
                ),
                "quiz": _obj({"id": STR, "title": STR}, ["id"]),
                "lesson": {"anyOf": [_obj({"id": STR}), {"type": "null"}]},
                "user": USER_REF,
                "course": {"anyOf": [COURSE_REF, {"type": "null"}]},
            },
            ["attempt", "quiz", "user"],
        ),
        sample={
            "attempt": {
                "id": "qat_01jd8x4k2m7q9r3t5v6w8y0z1m",
                "score": 85.0,
                "passed": True,
                "completed_at": T,
            },
            "quiz": {"id": "quz_01jd8x4k2m7q9r3t5v6w8y0z1n", "title": "Final quiz"},
            "lesson": {"id": "lsn_01jd8x4k2m7q9r3t5v6w8y0z1k"},
            "user": S_USER,
            "course": S_COURSE,
        },
    ),
    EventType(
        name="path.enrollment.created",
        alias="PATH_ENROLLMENT",
        description="A user enrolled in a learning path.",
        schema=_obj(
            {
                "enrollment": _obj({"id": STR, "enrolled_at": TIME}),
                "user": USER_REF,
                "path": PATH_REF,
                "domain": {"anyOf": [DOMAIN_REF, {"type": "null"}]},
                "purchase": NPURCHASE,
            },
            ["enrollment", "user", "path"],
        ),
        sample={
            "enrollment": {"id": "ppe_01jd8x4k2m7q9r3t5v6w8y0z1p", "enrolled_at": T},
            "user": S_USER,
            "path": S_PATH,
            "domain": S_DOMAIN,
            "purchase": None,
        },
    ),
    EventType(
        name="path.completed",
        alias="PATH_COMPLETION",
        description="A user completed a learning path.",
        schema=_obj(
            {"user": USER_REF, "path": PATH_REF, "completed_at": TIME},
        ),
        sample={"user": S_USER, "path": S_PATH, "completed_at": T},
    ),
    EventType(
        name="purchase.fulfilled",
        alias="PURCHASE_FULFILLMENT",
        description="A purchase was paid and its items granted.",
        schema=_obj(
            {
                "purchase": _obj(
                    {
                        "id": STR,
                        "order_id": STR,
                        "purchase_price": MONEY,
                        "currency_code": STR,
                        "fulfilled_at": TIME,
                    }
                ),
                "user": USER_REF,
                "items": {
                    "type": "array",
                    "items": _obj({"type": STR, "id": STR, "title": STR}, ["type", "id"]),
                },
            }
        ),
        sample={
            "purchase": {
                "id": "pur_01jd8x4k2m7q9r3t5v6w8y0z1q",
                "order_id": S_PURCHASE["order_id"],
                "purchase_price": "80.00",
                "currency_code": "USD",
                "fulfilled_at": T,
            },
            "user": S_USER,
            "items": [{"type": "course", "id": S_COURSE["id"], "title": S_COURSE["title"]}],
        },
    ),
    EventType(
        name="vilt.registration.created",
        alias="VILT_EVENT_REGISTRATION",
        description="A user registered for a virtual instructor-led session.",
        schema=_obj(
            {
                "registration": _obj({"id": STR, "registered_at": TIME}),
                "session": _obj({"id": STR, "title": STR, "starts_at": TIME}, ["id"]),
                "user": USER_REF,
                "course": {"anyOf": [COURSE_REF, {"type": "null"}]},
            },
            ["registration", "session", "user"],
        ),
        sample={
            "registration": {"id": "vrg_01jd8x4k2m7q9r3t5v6w8y0z1r", "registered_at": T},
            "session": {
                "id": "vse_01jd8x4k2m7q9r3t5v6w8y0z1s",
                "title": "Live Q&A",
                "starts_at": "2026-02-01T16:00:00.000000Z",
            },
            "user": S_USER,
            "course": S_COURSE,
        },
    ),
    EventType(
        name="dashboard.task.created",
        alias="DASHBOARD_TASK_CREATED",
        description="A task for the school's staff was created on the dashboard.",
        schema=_obj(
            {
                "task": _obj({"id": STR, "kind": STR, "title": STR, "created_at": TIME}),
                "user": {"anyOf": [USER_REF, {"type": "null"}]},
            },
            ["task"],
        ),
        sample={
            "task": {
                "id": "tsk_01jd8x4k2m7q9r3t5v6w8y0z1t",
                "kind": "grade_submission",
                "title": "Grade Jane Doe's assignment",
                "created_at": T,
            },
            "user": S_USER,
        },
    ),
    EventType(
        name="certificate.issued",
        description="A certificate was issued to a user.",
        schema=_obj(
            {
                "certificate": _obj(
                    {"id": STR, "issued_at": TIME, "verification_url": STR}, ["id", "issued_at"]
                ),
                "user": USER_REF,
                "course": {"anyOf": [COURSE_REF, {"type": "null"}]},
            },
            ["certificate", "user"],
        ),
        sample={
            "certificate": {
                "id": "crt_01jd8x4k2m7q9r3t5v6w8y0z1j",
                "issued_at": T,
                "verification_url": "https://learn.example.com/certificates/verify/abc123",
            },
            "user": S_USER,
            "course": S_COURSE,
        },
    ),
    EventType(
        name="course.published",
        description="A course was published (or republished) to a domain.",
        schema=_obj(
            {"course": COURSE_REF, "domain": DOMAIN_REF, "published_at": TIME},
            ["course", "published_at"],
        ),
        sample={"course": S_COURSE, "domain": S_DOMAIN, "published_at": T},
    ),
    EventType(
        name="payment.completed",
        description="A payment was processed successfully.",
        schema=_obj(
            {
                "payment": _obj(
                    {"id": STR, "amount": MONEY, "currency_code": STR, "paid_at": TIME}
                ),
                "user": USER_REF,
            }
        ),
        sample={
            "payment": {
                "id": "pay_01jd8x4k2m7q9r3t5v6w8y0z1u",
                "amount": "80.00",
                "currency_code": "USD",
                "paid_at": T,
            },
            "user": S_USER,
        },
    ),
    EventType(
        name=PING,
        description="Sent by POST /api/v1/webhooks/{id}/test to check an endpoint; never "
        "sent otherwise and cannot be subscribed to.",
        schema=_obj({"message": STR, "webhook_id": STR}),
        sample={"message": "Lyceum webhook test", "webhook_id": "wh_01jd8x4k2m7q9r3t5v6w8y0z1v"},
        subscribable=False,
    ),
)
