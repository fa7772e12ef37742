"""Querysets compiled once per process and run again with new values.

Building and compiling a queryset costs the ORM more than a simple indexed statement costs
the database: on the hottest reads (a nested route's parent, a space's page of posts) it is
most of a request. A ``PreparedQuery`` builds its queryset once, with a *slot* (a marker
string) wherever a request's value goes, compiles it, and keeps the SQL with the position
of each slot among its parameters. Each call then runs that SQL with the call's values and
turns the rows into what the queryset would have given: model instances (with the rows of
``select_related`` and the annotations) or ``values()`` dictionaries, converted by the
same converters.

A slot may only stand for a value compared as it is (``field=slot``, ``fk__pk=slot``,
``field__in=[slot, …]``); a lookup that rewrites its value (``icontains`` wraps it in
``%``) or a value the SQL depends on (None is ``IS NULL``) cannot be a slot, and compiling
such a queryset raises ``ImproperlyConfigured`` rather than answering wrongly. Values that
change the statement's shape (whether a filter applies at all, a user token or an API key)
are separate ``PreparedQuery`` objects, or separate ``variant`` keys of one.

On PostgreSQL the server prepares each such statement too, once per connection
(``prepared_cursor``): later runs skip parsing and planning, which cost the database more
than executing these indexed reads. ``DB_PREPARED_STATEMENTS=0`` turns that off (a pooler
in transaction mode that cannot keep a session's prepared statements).
"""

import datetime
import functools
import secrets
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Lookup, Model, QuerySet, Value
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.where import WhereNode


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Each parameter: the name of the slot it takes, or None for a constant (kept as is).
    slots: tuple[str | None, ...]
    constants: tuple[Any, ...]
    compiler: SQLCompiler
    converters: dict
    open_ended: bool
    # Model rows: the model, its columns' attnames and span, the select_related populators
    # and the annotations' positions. Values rows: the keys, in column order.
    model: type[Model] | None = None
    init_list: tuple[str, ...] = ()
    model_span: tuple[int, int] = (0, 0)
    related_populators: tuple = ()
    annotation_col_map: dict[str, int] = field(default_factory=dict)
    names: tuple[str, ...] = ()


class PreparedQuery:
    """``build(variant, **slots)`` → a queryset, compiled once per database connection and
    variant (None unless the caller passes one).

    ``rows(values)`` runs it with ``values`` (a dict: a value for every slot name) and
    returns a list of model instances or dictionaries; ``limit``/``offset`` page a
    statement built without a slice."""

    def __init__(self, build: Callable[..., QuerySet], *slots: str) -> None:
        self.build = build
        self.slots = slots
        # Per connection wrapper (each thread has its own; SQL differs between databases).
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict] = (
            weakref.WeakKeyDictionary()
        )

    def rows(
        self,
        values: dict[str, Any],
        *,
        variant: Hashable = None,
        limit: int | None = None,
        offset: int = 0,
        using: str = DEFAULT_DB_ALIAS,
    ) -> list:
        connection = connections[using]
        compiled = self._compiled_for(connection, variant)
        sql, params = self._statement(compiled, values)
        if limit is not None or offset:
            if not compiled.open_ended:
                raise ImproperlyConfigured("A sliced or locking statement cannot be paged.")
            high = None if limit is None else offset + limit
            sql = f"{sql} {connection.ops.limit_offset_sql(offset, high)}"
        # A page past the first is a statement of its own (its offset is in the SQL): not
        # worth a prepared statement on the server.
        with prepared_cursor(connection) if offset == 0 else connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            fetched = compiled.compiler.apply_converters(fetched, compiled.converters)
        if compiled.model is None:
            return [dict(zip(compiled.names, row, strict=True)) for row in fetched]
        return [self._instance(compiled, row, connection.alias) for row in fetched]

    def statement(
        self, values: dict[str, Any], *, variant: Hashable = None, using: str = DEFAULT_DB_ALIAS
    ) -> tuple[str, list]:
        """The compiled SQL and its parameters for ``values`` (to wrap, as a count does)."""
        return self._statement(self._compiled_for(connections[using], variant), values)

    def names(self, variant: Hashable = None, *, using: str = DEFAULT_DB_ALIAS) -> tuple[str, ...]:
        """The keys of ``values()`` rows (empty for model rows)."""
        return self._compiled_for(connections[using], variant).names

    def _compiled_for(self, connection: BaseDatabaseWrapper, variant: Hashable) -> _Compiled:
        known = self._compiled.setdefault(connection, {})
        compiled = known.get(variant)
        if compiled is None:
            compiled = known[variant] = self._compile(connection, variant)
        return compiled

    @staticmethod
    def _statement(compiled: _Compiled, values: dict[str, Any]) -> tuple[str, list]:
        params = [
            constant if name is None else values[name]
            for name, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        return compiled.sql, params

    def first(self, values: dict[str, Any], *, variant: Hashable = None) -> Any:
        """The first row or None (the statement should be built with ``[:1]``)."""
        found = self.rows(values, variant=variant)
        return found[0] if found else None

    @staticmethod
    def _instance(compiled: _Compiled, row: Any, alias: str) -> Model:
        start, end = compiled.model_span
        obj = compiled.model.from_db(alias, compiled.init_list, row[start:end])
        for populator in compiled.related_populators:
            populator.populate(row, obj)
        for name, position in compiled.annotation_col_map.items():
            setattr(obj, name, row[position])
        return obj

    def _compile(self, connection: BaseDatabaseWrapper, variant: Hashable) -> _Compiled:
        # Letters and digits only, so no cleaning (stripping, lower-casing) alters a slot
        # unnoticed: any parameter holding the token must be exactly one slot.
        token = secrets.token_hex(8)
        markers = {f"slot{token}{n}x": name for n, name in enumerate(self.slots)}
        arguments = {name: marker for marker, name in markers.items()}
        queryset = self.build(variant, **arguments)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ImproperlyConfigured("A prepared queryset cannot prefetch or know related rows.")
        if _holds_moment(queryset.query):
            # Almost always the moment of building (``timezone.now()``), which a statement
            # kept for the process's life would freeze.
            raise ImproperlyConfigured("A prepared statement cannot hold a date or time.")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots: list[str | None] = []
        for param in params:
            name = markers.get(param) if isinstance(param, str) else None
            if name is None and token in (param if isinstance(param, str) else repr(param)):
                raise ImproperlyConfigured(
                    "A slot's value is rewritten by its lookup; it cannot be prepared."
                )
            slots.append(name)
        if token in sql:
            raise ImproperlyConfigured("A slot's value is written into the SQL itself.")
        query = queryset.query
        open_ended = query.low_mark == 0 and query.high_mark is None and not query.select_for_update
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        iterable = queryset._iterable_class
        common = {
            "sql": sql,
            "slots": tuple(slots),
            "constants": tuple(params),
            "compiler": compiler,
            "converters": compiler.get_converters(fields),
            "open_ended": open_ended,
        }
        if iterable is ModelIterable:
            klass_info = compiler.klass_info
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            return _Compiled(
                **common,
                model=klass_info["model"],
                init_list=tuple(column[0].target.attname for column in compiler.select[start:end]),
                model_span=(start, end),
                related_populators=tuple(
                    get_related_populators(klass_info, compiler.select, connection.alias)
                ),
                annotation_col_map=dict(compiler.annotation_col_map or {}),
            )
        if iterable is ValuesIterable:
            return _Compiled(
                **common,
                names=(*query.extra_select, *query.values_select, *query.annotation_select),
            )
        raise ImproperlyConfigured("A prepared queryset gives model instances or values().")


def prepared_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for statements whose text repeats (values passed as parameters).

    On PostgreSQL, unless ``DB_PREPARED_STATEMENTS=0`` (``OPTIONS["prepare_threshold"]``
    unset), it binds the values on the server and has the server prepare each statement
    the first time this connection runs it; later runs skip parsing and planning. psycopg
    keeps the connection's prepared statements (the last ``prepared_max``) and forgets them
    when a rollback or a schema change may have made them stale. Elsewhere, an ordinary
    cursor. Wrapped as ``connection.cursor()`` wraps its own: execute wrappers, the query
    log and error translation apply alike.
    """
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _preparing_cursor_class()(connection.connection)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return _PreparedDebugWrapper(cursor, connection)
    return connection.make_cursor(cursor)


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a statement the server prepared as any other is logged: its SQL with the values
    merged (psycopg keeps no such text for a prepared run)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


@functools.cache
def _preparing_cursor_class() -> type:
    """Django's server-binding psycopg cursor, asking psycopg to prepare every statement."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _holds_moment(node: Any) -> bool:
    """Whether a date or time is among the values of ``node`` (a query, its conditions,
    annotations and subqueries): looked for before the database adapts them to text."""
    if isinstance(node, datetime.date):
        return True
    if isinstance(node, list | tuple | set | frozenset):
        return any(_holds_moment(item) for item in node)
    if isinstance(node, Query):
        return _holds_moment(node.where) or _holds_moment(list(node.annotations.values()))
    if isinstance(node, WhereNode):
        return _holds_moment(node.children)
    if isinstance(node, Lookup):
        return _holds_moment(node.lhs) or _holds_moment(node.rhs)
    if isinstance(node, Value):
        return _holds_moment(node.value)
    inner = getattr(node, "query", None)
    if isinstance(inner, Query) and _holds_moment(inner):
        return True
    if hasattr(node, "get_source_expressions"):
        return _holds_moment(node.get_source_expressions())
    return False
