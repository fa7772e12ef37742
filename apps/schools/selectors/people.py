"""Reads of a school's accounts: members with their users and tags loaded."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Count, OuterRef, Prefetch, QuerySet

from apps.schools.models import Member, School, Tag
from apps.schools.selectors.accounts import accounts_with_email


def member_list(*, queryset: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Members with their user and sorted tags (as ``tag_list``) loaded: constant queries
    per page."""
    queryset = Member.objects.all() if queryset is None else queryset
    return queryset.select_related("user").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list")
    )


# The columns of the API's user shape, as ``member_rows`` reads them (``user_id`` is the
# user's id; ``id`` is the member's, which orders the list and its cursors).
MEMBER_ROW_COLUMNS = (
    "id",
    "user_id",
    "user__email",
    "user__first_name",
    "user__last_name",
    "role",
    "status",
    "external_id",
    "company",
    "department",
    "country",
    "metadata",
    "anonymized_at",
    "created_at",
    "updated_at",
)


def member_rows(queryset: QuerySet[Member]) -> QuerySet[dict]:
    """The members of ``queryset`` as plain rows (``MEMBER_ROW_COLUMNS``), no model instances.

    On PostgreSQL each row also carries ``tag_names``, the member's tag names sorted by name,
    gathered in the same statement; elsewhere ``member_rows_with_tags`` adds them.
    """
    queryset = queryset.select_related(None).prefetch_related(None)
    if connections[queryset.db].vendor != "postgresql":
        return queryset.values(*MEMBER_ROW_COLUMNS)
    names = Tag.objects.filter(members=OuterRef("pk")).order_by("name").values("name")
    return queryset.values(*MEMBER_ROW_COLUMNS, tag_names=ArraySubquery(names))


def member_rows_with_tags(rows: list[dict]) -> list[dict]:
    """``rows`` from ``member_rows``, each with ``tag_names`` (one query where the rows came
    without them, none on PostgreSQL)."""
    missing = [row for row in rows if "tag_names" not in row]
    if not missing:
        return rows
    names: dict[str, list[str]] = {row["id"]: [] for row in missing}
    through = Member.tags.through.objects.filter(member_id__in=list(names))
    for member_id, name in through.order_by("tag__name").values_list("member_id", "tag__name"):
        names[member_id].append(name)
    for row in missing:
        row["tag_names"] = names[row["id"]]
    return rows


def member_get(*, school: School, user_id: str) -> Member | None:
    """The school's member whose account is ``user_id``, loaded as ``member_list`` loads it."""
    return member_list(queryset=Member.objects.filter(school=school, user_id=user_id)).first()


def member_with_email(*, school: School, email: str) -> Member | None:
    """The school's account for ``email`` as its member (user and school loaded), or None;
    other schools' accounts with this e-mail are never looked at."""
    accounts = accounts_with_email(email=email).filter(school=school)
    return Member.objects.select_related("user", "school").filter(user__in=accounts).first()


def tag_list(*, queryset: QuerySet[Tag] | None = None) -> QuerySet[Tag]:
    """Tags by name, with how many of the school's users carry each (``user_count``)."""
    queryset = Tag.objects.all() if queryset is None else queryset
    return queryset.annotate(user_count=Count("members", distinct=True)).order_by("name", "id")
