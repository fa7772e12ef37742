"""Who a learner-writable action acts for.

A learner's own user token writes for itself (``owner_write_actions``); an API key acts for
the person it names in ``user_id``. Quiz starts, assignment hand-ins and synced quiz attempts
all answer the same two refusals, so they are written once here.
"""

from apps.core.credentials import Credential
from apps.core.errors import ApiError, InvalidInput
from apps.enrollments.codes import EnrollmentErrorCode
from apps.schools.models import User


def acting_person(
    credential: Credential,
    named: User | None,
    *,
    field: str,
    doing: str,
    person: str,
    not_own_code: EnrollmentErrorCode,
) -> User:
    """The token's own person, or the one an API key names in ``field``.

    A user token naming someone else is 403 ``not_own_code``; an API key naming no one is
    400 ``user_required`` on ``field``. ``doing`` completes "A user token … for itself only",
    ``person`` "an API key names …".
    """
    if credential.is_user:
        if named is not None and named.pk != credential.user.pk:
            raise ApiError(
                f"A user token {doing} for itself only.", code=not_own_code, status_code=403
            )
        return credential.user
    if named is None:
        raise InvalidInput(
            f"{field}: an API key names {person}.",
            code=EnrollmentErrorCode.USER_REQUIRED,
            field=field,
        )
    return named
