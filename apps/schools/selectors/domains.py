"""Reads of domains and domain users: lazy querysets with their joins loaded; a missing
name or user is 404."""

import functools

from django.db import connection
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from apps.core.errors import NotFound
from apps.core.prepared import prepared_cursor
from apps.schools.models import Domain, DomainUser, Member, School, SignupFieldValue


def domain_get(*, school: School, name: str) -> Domain:
    """The school's domain called ``name``; 404 when it has none (whoever owns the name)."""
    domain = Domain.objects.filter(school=school, name=name).select_related("school").first()
    if domain is None:
        raise NotFound("No such domain.")
    return domain


def with_active_now(queryset: QuerySet[DomainUser]) -> QuerySet[DomainUser]:
    """Annotate ``active_now``: the flag is set and ``expires_at`` has not passed (in SQL)."""
    now = timezone.now()
    return queryset.annotate(
        active_now=Case(
            When(Q(active=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)), then=True),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def domain_user_list(
    *,
    domain: Domain,
    queryset: QuerySet[DomainUser] | None = None,
    include_signup_fields: bool = False,
) -> QuerySet[DomainUser]:
    """The domain's users with user, access code and pool loaded (constant queries)."""
    queryset = DomainUser.objects.all() if queryset is None else queryset
    queryset = with_active_now(
        queryset.filter(domain=domain).select_related(
            "member__user", "access_code__access_code_pool"
        )
    )
    if include_signup_fields:
        queryset = queryset.prefetch_related(
            Prefetch(
                "member__signup_values",
                queryset=SignupFieldValue.objects.filter(domain=domain)
                .select_related("field")
                .order_by("field__position", "field_id"),
                to_attr="domain_signup_values",
            )
        )
    return queryset.order_by("id")


def domain_user_get(*, domain: Domain, user_id: str) -> DomainUser:
    """The domain user of ``user_id``; 404 when the person has no access record here."""
    domain_user = domain_user_list(domain=domain).filter(user_id=user_id).first()
    if domain_user is None:
        raise NotFound("No such user on this domain.")
    return domain_user


@functools.cache
def _access_record_statement() -> str:
    """The SQL of ``has_access_record``, written once per process (an enrollment asks it
    each time; compiling it through the ORM cost more than running it)."""
    quote = connection.ops.quote_name
    return (
        f"SELECT 1 FROM {quote(DomainUser._meta.db_table)} WHERE domain_id = %s AND member_id = %s"
    )


def has_access_record(*, domain: Domain, member: Member) -> bool:
    """Whether ``member`` has an access record on ``domain``, active or not."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(_access_record_statement(), [domain.pk, member.pk])
        return cursor.fetchone() is not None
