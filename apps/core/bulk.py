"""Bulk loading for demo and benchmark data: PostgreSQL's COPY, without model ``save``."""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def copy_rows(model: type[models.Model], rows: list[models.Model]) -> None:
    """Insert ``rows`` (new, unsaved) with PostgreSQL's COPY; fields are prepared as ``save``
    would (ids, timestamps, JSON), and nothing is emitted: this is bulk loading."""
    fields = model._meta.concrete_fields
    copy_tuples(
        model,
        [field.column for field in fields],
        (
            [field.get_db_prep_save(field.pre_save(row, add=True), connection) for field in fields]
            for row in rows
        ),
    )


def copy_tuples(model: type[models.Model], columns: Sequence[str], rows: Iterable) -> None:
    """COPY ready values into ``columns`` of ``model``'s table: the fast path for millions of
    rows, where preparing every field of every row through the model costs more than the
    database's work. The caller gives database-ready values (ids included)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
