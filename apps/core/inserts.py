"""Inserting a row unless its unique key is taken, in one statement.

``INSERT … ON CONFLICT (key columns) DO NOTHING`` (PostgreSQL and SQLite alike) settles a
race for the same key without a savepoint: the losing insert does nothing instead of failing,
so the caller's transaction goes on. Only the named constraint is forgiven; any other
violation still raises ``IntegrityError``. An event describing the row can be written with
it, only when the row is.
"""

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models.sql import InsertQuery

from apps.core.events import recorded
from apps.core.models import Event
from apps.core.prepared import prepared_cursor


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


def insert_unless_taken(row: models.Model, constraint: str, *, event: Event | None = None) -> bool:
    """Insert the new ``row`` unless a row with its values in the unique ``constraint``
    exists; True when it was inserted (``row`` is then saved, as ``save`` leaves it).

    ``event`` (from ``events.pending``) is written only when the row is, and dispatched
    after commit as ``emit`` does; on PostgreSQL in the same statement as the row
    (``WITH taken AS (INSERT … RETURNING 1) INSERT INTO event … SELECT … FROM taken``).

    Fields are prepared as ``save(force_insert=True)`` prepares them (ids, timestamps); no
    ``pre_save``/``post_save`` signal is sent.
    """
    model = type(row)
    target = _conflict_target(model, constraint)
    using = router.db_for_write(model, instance=row)
    connection = connections[using]
    statement, params = _insert_statement(row, using)
    columns = ", ".join(connection.ops.quote_name(column) for column in target)
    statement = f"{statement} ON CONFLICT ({columns}) DO NOTHING"
    joined = event is not None and connection.vendor == "postgresql"
    if joined:
        event_head, event_values, event_params = _insert_select(event, using)
        statement = (
            f"WITH taken AS ({statement} RETURNING 1) {event_head} SELECT {event_values} FROM taken"
        )
        params = [*params, *event_params]
    # The same text on every call (every field is written): worth preparing on the server.
    with prepared_cursor(connection) as cursor:
        cursor.execute(statement, params)
        inserted = cursor.rowcount == 1
    if not inserted:
        return False
    _mark_saved(row, using)
    if event is not None:
        if joined:
            _mark_saved(event, using)
        else:
            event.save(force_insert=True, using=using)
        recorded(event)
    return True


def _insert_statement(row: models.Model, using: str) -> tuple[str, list]:
    """``save(force_insert=True)``'s INSERT of ``row``, every concrete field written.

    The text is compiled once per model and database; later calls prepare their values as
    the insert compiler does (``pre_save``, then ``get_db_prep_save``). A row holding an
    expression, or a model with a field that writes its own placeholder, is compiled each
    time."""
    model = type(row)
    fields = _insert_fields(model)
    key = (model, using)
    statement = _insert_texts.get(key)
    if statement is None or any(
        hasattr(getattr(row, field.attname), "resolve_expression") for field in fields
    ):
        statement, params = _compiled_insert(row, fields, using)
        if not any(hasattr(field, "get_placeholder") for field in fields):
            _insert_texts.setdefault(key, statement)
        return statement, params
    connection = connections[using]
    return statement, [
        field.get_db_prep_save(field.pre_save(row, True), connection=connection) for field in fields
    ]


_insert_texts: dict[tuple[type[models.Model], str], str] = {}


@cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(field for field in model._meta.local_concrete_fields if not field.generated)


def _compiled_insert(
    row: models.Model, fields: tuple[models.Field, ...], using: str
) -> tuple[str, list]:
    query = InsertQuery(type(row))
    query.insert_values(list(fields), [row])
    [(statement, params)] = query.get_compiler(using=using).as_sql()
    return statement, list(params)


def _insert_select(row: models.Model, using: str) -> tuple[str, str, list]:
    """``row``'s INSERT split for ``INSERT INTO table (columns) SELECT values FROM …``:
    the head, the values list and its parameters."""
    statement, params = _insert_statement(row, using)
    head, separator, values = statement.partition(" VALUES (")
    if not separator or not values.endswith(")") or " VALUES (" in values:
        raise ImproperlyConfigured(f"Cannot write {type(row).__name__}'s insert as a SELECT.")
    return head, values[:-1], params


def _mark_saved(row: models.Model, using: str) -> None:
    row._state.adding = False
    row._state.db = using
