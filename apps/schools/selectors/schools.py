"""Reads that resolve a credential to its school: API keys by hash, staff schools."""

import weakref
from collections.abc import Callable
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.expressions import Col

from apps.core.prepared import prepared_cursor
from apps.schools.models import ApiKey, Member, School


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
    with prepared_cursor(connection) as cursor:
        cursor.execute(_api_key_statement(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(ApiKey._meta.concrete_fields)
    api_key = _from_row(ApiKey, row[:split])
    api_key.school = _from_row(School, row[split:])
    return api_key


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
