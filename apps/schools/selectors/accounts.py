"""Which account an e-mail and password sign in to (the API's ``auth/token`` and the admin).

Accounts are per school, so one e-mail can name several accounts: one per school, plus a
platform operator's. A school's slug picks one; without it, the accounts whose password
matches decide. Sandbox accounts are reached only through their sandbox's slug, so a
sandbox copy of a live account never makes the live login ambiguous.
"""

from django.contrib.auth.hashers import check_password
from django.db.models import Q, QuerySet

from apps.core.email_identity import email_key
from apps.schools.models import User

# Chosen in the admin's school field to sign in as the platform operator; never a slug.
PLATFORM = "@platform"
# A constant hash checked when no account has the e-mail, so timing does not reveal one.
_DUMMY_HASH = "pbkdf2_sha256$1000000$lyceum$xSzYV9KlpNwDAcJ3lGbN3bZHhZx5D1bdw4bP0Q4O4wE="
# Accounts checked per attempt without a slug (the oldest); the others need their slug.
MAX_ACCOUNTS_PER_EMAIL = 20


def accounts_with_email(*, email: str) -> QuerySet[User]:
    """Every account ``email`` names, compared as Lyceum compares addresses (``email_key``:
    any case, look-alike spellings of one mailbox): at most one per school, plus an
    operator's. Lazy: callers narrow it to a school, to operators or to who may sign in."""
    return User.objects.filter(email_key=email_key(email or ""))


def accounts_for_password(
    *, email: str, password: str, school: str | None = None, operators: bool = False
) -> list[User]:
    """The accounts ``email`` names whose password is ``password``, oldest first.

    ``school`` is a slug (or ``PLATFORM`` for the operator's account); ``operators``
    lets operators' accounts match without one. Accounts of inactive schools never match.
    An unknown e-mail or school costs one password check, like a wrong password, and
    accounts sharing one password hash (split from one person) cost one check together.
    """
    users = accounts_with_email(email=email).select_related("school__live_school")
    if school == PLATFORM:
        users = users.filter(school__isnull=True) if operators else users.none()
    elif school:
        users = users.filter(school__slug=school, school__is_active=True)
    else:
        live = Q(school__is_active=True, school__live_school__isnull=True)
        users = users.filter(live | Q(school__isnull=True) if operators else live)
    candidates = list(users.order_by("created_at")[:MAX_ACCOUNTS_PER_EMAIL])
    if not candidates:
        check_password(password, _DUMMY_HASH)
        return []
    verdicts: dict[str, bool] = {}
    matching = []
    for user in candidates:
        if user.password not in verdicts:
            verdicts[user.password] = user.check_password(password)
        if verdicts[user.password]:
            matching.append(user)
    return matching


def school_label(user: User) -> tuple[str, str]:
    """``(value, label)`` naming the school of ``user`` in a choice of accounts."""
    if user.school is None:
        return PLATFORM, "Platform operator"
    return user.school.slug, str(user.school)
