"""Reads of the schools app."""

import weakref
from collections.abc import Callable
from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, OuterRef, Prefetch, QuerySet
from django.db.models.expressions import Col

from apps.schools.models import ApiKey, Member, School, Tag


@cache
def _api_key_statement() -> str:
    """The key lookup's SQL, written once per process: compiling the ORM query on every
    request cost more than running it (the credential path's largest share)."""
    quote = connection.ops.quote_name

    def columns(model: type[Model], alias: str) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)

    return (
        f"SELECT {columns(ApiKey, 'k')}, {columns(School, 's')} "
        f"FROM {quote(ApiKey._meta.db_table)} k "
        f"JOIN {quote(School._meta.db_table)} s ON s.{quote(School._meta.pk.column)} = "
        f"k.{quote(ApiKey._meta.get_field('school').column)} "
        f"WHERE k.{quote(ApiKey._meta.get_field('key_hash').column)} = %s"
    )


# Per database connection (its converters are bound to it) and model: the columns' converters.
_CONVERTERS: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict]" = weakref.WeakKeyDictionary()


def _converters(model: type[Model]) -> list[tuple[Col, list[Callable]]]:
    """Each concrete column of ``model`` with its converters, in the order the ORM's compiler
    applies them (the backend's, then the field's); worked out once per connection."""
    # ``connection`` is a proxy shared by every thread; each thread has its own wrapper.
    known = _CONVERTERS.setdefault(connections[DEFAULT_DB_ALIAS], {})
    found = known.get(model)
    if found is None:
        found = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            found.append(
                (
                    column,
                    connection.ops.get_db_converters(column) + field.get_db_converters(connection),
                )
            )
        known[model] = found
    return found


def _from_row(model: type[Model], values: tuple) -> Model:
    """A model instance from its concrete columns, converted as the ORM converts them."""
    converted = []
    for (column, converters), value in zip(_converters(model), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(
        connection.alias, [f.attname for f in model._meta.concrete_fields], converted
    )


def api_key_by_hash(key_hash: str) -> ApiKey | None:
    """The API key with this hash, its ``school`` loaded (one query), or None."""
    with connection.cursor() as cursor:
        cursor.execute(_api_key_statement(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(ApiKey._meta.concrete_fields)
    api_key = _from_row(ApiKey, row[:split])
    api_key.school = _from_row(School, row[split:])
    return api_key


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


def member_get(*, school, user_id: str) -> Member | None:
    return member_list(queryset=Member.objects.filter(school=school, user_id=user_id)).first()


def staff_school_for(user) -> School | None:
    """The school whose admin ``user`` is: its account's school, while the account holds
    the active admin role there."""
    if user.school_id is None:
        return None
    member = (
        Member.objects.select_related("school")
        .filter(
            user=user,
            school_id=user.school_id,
            role=Member.Role.ADMIN,
            status=Member.Status.ACTIVE,
            school__is_active=True,
        )
        .first()
    )
    return member.school if member else None
