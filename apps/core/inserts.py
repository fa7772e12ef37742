"""Inserting a row unless its unique key is taken, in one statement.

``INSERT … ON CONFLICT (key columns) DO NOTHING`` (PostgreSQL and SQLite alike) settles a
race for the same key without a savepoint: the losing insert does nothing instead of failing,
so the caller's transaction goes on. Only the named constraint is forgiven; any other
violation still raises ``IntegrityError``.
"""

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models.sql import InsertQuery


@cache
def _conflict_target(model: type[models.Model], constraint: str) -> tuple[str, ...]:
    """The columns of ``model``'s plain unique constraint ``constraint`` (fields only: a
    condition or an expression cannot be named as a conflict target here)."""
    for rule in model._meta.constraints:
        if rule.name != constraint:
            continue
        if (
            isinstance(rule, models.UniqueConstraint)
            and rule.fields
            and rule.condition is None
            and not rule.expressions
        ):
            return tuple(model._meta.get_field(name).column for name in rule.fields)
        break
    raise ImproperlyConfigured(
        f"{model.__name__} has no unique constraint {constraint!r} on plain fields."
    )


def insert_unless_taken(row: models.Model, constraint: str) -> bool:
    """Insert the new ``row`` unless a row with its values in the unique ``constraint``
    exists; True when it was inserted (``row`` is then saved, as ``save`` leaves it).

    Fields are prepared as ``save(force_insert=True)`` prepares them (ids, timestamps); no
    ``pre_save``/``post_save`` signal is sent.
    """
    model = type(row)
    target = _conflict_target(model, constraint)
    using = router.db_for_write(model, instance=row)
    connection = connections[using]
    query = InsertQuery(model)
    query.insert_values(
        [field for field in model._meta.local_concrete_fields if not field.generated], [row]
    )
    [(statement, params)] = query.get_compiler(using=using).as_sql()
    columns = ", ".join(connection.ops.quote_name(column) for column in target)
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} ON CONFLICT ({columns}) DO NOTHING", params)
        inserted = cursor.rowcount == 1
    if inserted:
        row._state.adding = False
        row._state.db = using
    return inserted
