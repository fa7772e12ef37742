"""Reads of plans and plan enrollments."""

from typing import Any

from django.db.models import QuerySet

from apps.catalog.selectors.publishing import offer_summary_of
from apps.commerce.models import Plan, PlanEnrollment
from apps.enrollments.selectors.enrollments import ENROLLMENT_COLUMNS, enrollment_row_payload

# A plan enrollment row: the enrollment shape's columns, and the plan it is in.
PLAN_ENROLLMENT_COLUMNS = (*ENROLLMENT_COLUMNS, "plan_id", "plan__title")


def plan_list(*, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans with their domain (for ``plan_url``) and offer joined, in one statement."""
    return queryset.select_related("domain", "offer")


def plan_offer_summary(plan: Plan) -> dict[str, Any] | None:
    """The seed's ``offer`` summary of a plan read by ``plan_list`` (one implementation
    with published courses and paths: ``offer_summary_of``)."""
    return offer_summary_of(plan)


def plan_enrollment_rows(queryset: QuerySet[PlanEnrollment]) -> QuerySet[dict]:
    """Plan enrollments as plain rows (``PLAN_ENROLLMENT_COLUMNS``): one statement a page."""
    return queryset.select_related(None).values(*PLAN_ENROLLMENT_COLUMNS)


def plan_enrollment_row_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The API's plan enrollment: Skilljar's enrollment shape (with ``source`` and the
    timestamps, as course enrollments have) and the plan ``{id, title}``."""
    return {
        **enrollment_row_payload(row),
        "plan": {"id": row["plan_id"], "title": row["plan__title"]},
    }
