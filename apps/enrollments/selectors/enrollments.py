"""Reads of enrollments: the API's rows, and who has access to a course."""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.catalog.models import Course
from apps.core.times import format_datetime
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.enrollments.models.purchase import PURCHASE_COLUMNS, purchase_block
from apps.schools.models import User

# The columns of the API's enrollment shape, as ``enrollment_rows`` reads them.
ENROLLMENT_COLUMNS = (
    "id",
    "user_id",
    "user__email",
    "user__first_name",
    "user__last_name",
    "enrolled_at",
    "expires_at",
    "active",
    "source",
    "created_at",
    "updated_at",
    *PURCHASE_COLUMNS,
)


def enrollment_rows(queryset: QuerySet) -> QuerySet[dict]:
    """Course or path enrollments as plain rows (``ENROLLMENT_COLUMNS``): one statement for
    a page, no model instances."""
    return queryset.select_related(None).values(*ENROLLMENT_COLUMNS)


def enrollment_row_of(enrollment: Enrollment | PathEnrollment) -> dict[str, Any]:
    """The ``enrollment_rows`` row of a loaded enrollment (its user loaded too), so a write
    can answer without reading its row back."""
    row = {name: getattr(enrollment, name) for name in ENROLLMENT_COLUMNS if "__" not in name}
    user = enrollment.user
    row.update(
        {
            "user__email": user.email,
            "user__first_name": user.first_name,
            "user__last_name": user.last_name,
        }
    )
    return row


def enrollment_row_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The API's enrollment shape (Skilljar's, plus ``source`` and timestamps) of a row."""
    return {
        "id": row["id"],
        "user": {
            "id": row["user_id"],
            "email": row["user__email"],
            "first_name": row["user__first_name"],
            "last_name": row["user__last_name"],
        },
        "enrolled_at": format_datetime(row["enrolled_at"]),
        "expires_at": format_datetime(row["expires_at"]),
        "active": row["active"],
        "purchase": purchase_block(row),
        "source": row["source"],
        "created_at": format_datetime(row["created_at"]),
        "updated_at": format_datetime(row["updated_at"]),
    }


def current(queryset: QuerySet, at: datetime | None = None) -> QuerySet:
    """The enrollments of ``queryset`` that give access at ``at`` (default now): active and
    not expired."""
    at = timezone.now() if at is None else at
    return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at), active=True)


def has_course_access(*, user: User, course: Course, at: datetime | None = None) -> bool:
    """Whether ``user`` may learn ``course``: at least one active, unexpired enrollment."""
    return current(Enrollment.objects.filter(user=user, course=course), at).exists()


def has_path_access(*, user: User, path_id: str, at: datetime | None = None) -> bool:
    """Whether ``user`` holds an active, unexpired enrollment in the path."""
    return current(PathEnrollment.objects.filter(user=user, path_id=path_id), at).exists()
