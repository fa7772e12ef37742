"""List pagination shared by every list: numbered pages with a cheap ``count``, or a cursor.

``?page=N&page_size=M`` answers Skilljar's ``{count, next, previous, results}``. ``count``
is exact while the list holds at most ``LYCEUM_EXACT_COUNT_LIMIT`` rows (counted with a
bounded query that stops there); above that, on PostgreSQL, it is the planner's estimate
(``EXPLAIN``), never below the limit + 1, so a page costs the same at 100,000 rows as at
10,000,000. Deep numbered pages still pay ``OFFSET``.

``?cursor=`` (empty to start) walks the list by keyset on its own ordering (ids are
time-ordered, ``updated_since`` lists order by ``updated_at, id``): ``{next, results}``, no
count, and the same cost at any depth. The cursor is signed, so a changed or foreign one is a
400 ``cursor_invalid`` naming ``cursor`` rather than a query on arbitrary values.
"""

import datetime
import decimal
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import Field, Model, Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.codes import CoreErrorCode
from apps.core.errors import InvalidInput
from apps.core.prepared import PreparedQuery

CURSOR_SALT = "lyceum.pagination.cursor"
DEFAULT_EXACT_COUNT_LIMIT = 10_000
# PostgreSQL's OFFSET is a bigint: a larger one is a database error, not an empty page.
MAX_OFFSET = 2**62
# A page's rows may carry the list's count under this key (``page_rows`` of a ranked search,
# whose statement reads every match to sort them anyway, adds ``COUNT(*) OVER ()``): the page
# then costs one statement, not a count and a page.
LIST_COUNT = "list_count"


def exact_count_limit() -> int:
    """Rows up to which ``count`` is exact (``LYCEUM_EXACT_COUNT_LIMIT``)."""
    return getattr(settings, "LYCEUM_EXACT_COUNT_LIMIT", DEFAULT_EXACT_COUNT_LIMIT)


def _slim(queryset: QuerySet) -> QuerySet:
    """The rows' keys only: no joins the list loads for display, no ordering."""
    return queryset.order_by().values("pk")


# How long a process reuses a planner estimate of the same query (seconds), and how many it
# keeps. The estimate only moves as the table's statistics do; asking on every page cost a
# statement, its planning and a round trip on every list past the exact-count limit. While a
# list's estimate is kept, the list is also taken to be still past the limit: its count is
# the kept estimate, without counting the limit's rows again (most of a large list's page).
ESTIMATE_TTL = 30.0
ESTIMATES_KEPT = 1024
_estimates: dict[tuple, tuple[float, int]] = {}
_clock = time.monotonic


def _kept_estimate(key: tuple) -> int | None:
    known = _estimates.get(key)
    if known is not None and known[0] > _clock():
        return known[1]
    return None


def _planner_estimate(using: str, sql: str, params: tuple, key: tuple) -> int:
    """PostgreSQL's estimate of the rows the key statement matches (``EXPLAIN``, nothing is
    read), kept for ``ESTIMATE_TTL`` seconds by this process under ``key``."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str | bytes):  # a driver that hands json over undecoded
        plan = json.loads(plan)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if len(_estimates) >= ESTIMATES_KEPT:
        _estimates.clear()
    _estimates[key] = (_clock() + ESTIMATE_TTL, estimate)
    return estimate


def _bounded_count(using: str, sql: str, params: tuple, ceiling: int) -> int:
    """How many rows the key statement matches, counting no further than ``ceiling``.

    Written around the compiled key statement rather than through ``QuerySet.count()``,
    whose aggregation rewrite cost more per request than running the count."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(ceiling)}) bounded", params)
        return cursor.fetchone()[0]


def list_count(queryset: QuerySet) -> tuple[int, bool]:
    """``(count, exact)``: exact up to the limit, else the planner's estimate (at least the
    limit + 1) on PostgreSQL; other databases (the embedded SQLite) always count exactly.

    The key statement (``_slim``) is compiled once for the count and the estimate. A list
    found past the limit keeps its estimate for ``ESTIMATE_TTL`` seconds and is not counted
    again meanwhile: a list that shrinks below the limit answers an inexact count (``exact``
    False) for at most that long, never a wrong page. The key holds the statement and its
    values, so one school's list is never answered from another's."""
    try:
        sql, params = _slim(queryset).query.sql_with_params()
    except EmptyResultSet:  # ``.none()``, or a filter that can match nothing
        return 0, True
    return statement_count(queryset.db, sql, params, exact=queryset.count)


def statement_count(
    using: str, sql: str, params: Sequence, *, exact: Callable[[], int]
) -> tuple[int, bool]:
    """``list_count`` of a list's key statement (``sql`` with ``params``); ``exact`` counts
    every row, where the database cannot estimate."""
    limit = exact_count_limit()
    key = (using, sql, *map(repr, params))
    postgresql = connections[using].vendor == "postgresql"
    if postgresql and (kept := _kept_estimate(key)) is not None:
        return max(kept, limit + 1), False
    bounded = _bounded_count(using, sql, params, limit + 1)
    if bounded <= limit:
        return bounded, True
    if not postgresql:
        return exact(), True
    return max(_planner_estimate(using, sql, params, key), limit + 1), False


@dataclass(frozen=True)
class PreparedList:
    """A list compiled once for its shape (``apps.core.prepared``), with one request's
    values: ``page`` gives its rows in order and ``keys`` its keys (``_slim``), from which
    its count comes as ``list_count`` gives a queryset's."""

    page: PreparedQuery
    keys: PreparedQuery
    values: dict[str, Any]
    variant: Any = None
    using: str = "default"

    def rows(self, offset: int, limit: int) -> list:
        return self.page.rows(
            self.values, variant=self.variant, limit=limit, offset=offset, using=self.using
        )

    def carries_count(self) -> bool:
        """Whether the page's rows carry the list's count (``LIST_COUNT``)."""
        return LIST_COUNT in self.page.names(self.variant, using=self.using)

    def count(self) -> int:
        sql, params = self.keys.statement(self.values, variant=self.variant, using=self.using)
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) listed", params)
            return cursor.fetchone()[0]

    def list_count(self) -> tuple[int, bool]:
        sql, params = self.keys.statement(self.values, variant=self.variant, using=self.using)
        return statement_count(self.using, sql, params, exact=self.count)


@dataclass(frozen=True)
class _Key:
    """One column of a list's ordering: its lookup path, model field and direction."""

    path: str
    field: Field
    descending: bool

    @property
    def name(self) -> str:
        return f"-{self.path}" if self.descending else self.path


def _resolve_field(model: type[Model], path: str) -> Field:
    """The concrete field at the end of ``path`` (``user__email``, ``course_id``); a relation
    or a nullable column is refused (a keyset cannot compare with NULL)."""
    parts = path.split("__")
    field: Field | None = None
    for index, part in enumerate(parts):
        if part == "pk":
            field = model._meta.pk
        else:
            field = model._meta.get_field(part)
        if index < len(parts) - 1:
            model = field.related_model
        elif field.is_relation and field.concrete and part == field.attname:
            null = field.null
            field = field.target_field  # ``course_id``: the key's own column
            if null:
                field = None
    if field is None or field.is_relation or field.null:
        raise ImproperlyConfigured(
            f"Cursor pagination orders by {path!r}, which must be a non-null column."
        )
    return field


def ordering_keys(queryset: QuerySet) -> list[_Key]:
    """The list's ordering as keys, ending at the primary key so the order is total."""
    model = queryset.model
    names: Sequence[Any] = queryset.query.order_by or (
        model._meta.ordering if queryset.query.default_ordering else ()
    )
    pk = model._meta.pk
    keys: list[_Key] = []
    for name in names:
        if not isinstance(name, str) or name == "?":
            raise ImproperlyConfigured(f"Cursor pagination cannot follow the ordering {name!r}.")
        descending = name.startswith("-")
        path = name.lstrip("-+")
        try:
            field = _resolve_field(model, path)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(str(error)) from error
        if field == pk and "__" not in path:
            keys.append(_Key(pk.name, field, descending))
            return keys
        keys.append(_Key(path, field, descending))
    keys.append(_Key(pk.name, pk, keys[-1].descending if keys else False))
    return keys


def _value_of(row: Model | dict, path: str) -> Any:
    if isinstance(row, dict):  # a ``values()`` row names its columns by their lookup paths
        return row[path]
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _after(keys: list[_Key], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the ordering, written so the leading column bounds an
    index range: ``k1 >= v1 AND (k1 > v1 OR (k2 >= v2 AND (k2 > v2 OR ...)))``."""
    key, value = keys[0], values[0]
    strict = Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": value})
    if len(keys) == 1:
        return strict
    loose = Q(**{f"{key.path}__{'lte' if key.descending else 'gte'}": value})
    return loose & (strict | _after(keys[1:], values[1:]))


def _bad_cursor(message: str) -> InvalidInput:
    return InvalidInput(f"cursor: {message}", code=CoreErrorCode.CURSOR_INVALID, field="cursor")


class PageNumberPagination(pagination.PageNumberPagination):
    """``page``/``page_size`` → ``{count, next, previous, results}`` (a bad page is 404, a
    page_size out of range is clamped to 1..max, one that is not a number is 400 naming it),
    or ``cursor`` → ``{next, results}`` by keyset.

    Views set ``page_size`` (default) and ``max_page_size`` (the seed's 100 or 1000).
    """

    page_size_query_param = "page_size"
    page_size_query_description = (
        "Results per page, from 1 to the list's maximum (values outside are clamped)."
    )
    cursor_query_param = "cursor"
    page_size = 100
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = getattr(view, "page_size", type(self).page_size)
        self.max_page_size = getattr(view, "max_page_size", type(self).max_page_size)
        self.request = request
        self.view = view
        size = self.get_page_size(request)
        if self.cursor_query_param in request.query_params:
            return self._cursor_page(queryset, request, size)
        return self._numbered_page(queryset, request, size)

    def _rows(self, queryset: QuerySet) -> QuerySet:
        """What a page holds: the queryset's model instances, or the rows the view's
        ``page_rows(queryset)`` makes of it (``values()`` rows, say). Counts and cursors read
        the queryset itself, so they never pay for the joins a page shows, unless the rows
        carry the count themselves (``LIST_COUNT``)."""
        page_rows = getattr(self.view, "page_rows", None)
        return page_rows(queryset) if page_rows is not None else queryset

    # --- numbered pages -------------------------------------------------------------------

    def _numbered_page(self, queryset: QuerySet, request, size: int) -> list:
        if not queryset.ordered:
            # Django leaves a model's default ordering out of GROUP BY statements (a list
            # annotated with a count), and the database then returns rows in any order, so
            # pages could repeat or skip rows. Such a list takes the order a cursor follows.
            queryset = queryset.order_by(*(key.name for key in ordering_keys(queryset)))
        page = self._rows(queryset)
        return self._numbered(
            request,
            size,
            exact_count=queryset.count,
            rows=lambda offset, limit: list(page[offset : offset + limit]),
            carries_count=lambda: LIST_COUNT in page.query.annotations,
            list_count=lambda: list_count(queryset),
        )

    def paginate_prepared(self, prepared: "PreparedList", request, view) -> list:
        """A numbered page of a list whose statements are prepared (``PreparedList``)."""
        self.page_size = getattr(view, "page_size", type(self).page_size)
        self.max_page_size = getattr(view, "max_page_size", type(self).max_page_size)
        self.request, self.view = request, view
        return self._numbered(
            request,
            self.get_page_size(request),
            exact_count=prepared.count,
            rows=prepared.rows,
            carries_count=prepared.carries_count,
            list_count=prepared.list_count,
        )

    def _numbered(
        self,
        request,
        size: int,
        *,
        exact_count: Callable[[], int],
        rows: Callable[[int, int], list],
        carries_count: Callable[[], bool],
        list_count: Callable[[], tuple[int, bool]],
    ) -> list:
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            # The last page needs the true end: count exactly, at the cost it has.
            count, exact = exact_count(), True
            number = max(1, -(-count // size))
        else:
            number = self._page_number(raw)
            count, exact = None, True
        offset = (number - 1) * size
        if offset > MAX_OFFSET:  # past any table, and past what the database's OFFSET takes
            raise NotFound(f"page: {number} is past the last page.")
        rows = rows(offset, size + 1)
        has_next = len(rows) > size
        rows = rows[:size]
        if not rows and number > 1:
            raise NotFound(f"page: {number} is past the last page.")
        if count is None and carries_count():
            count = rows[0][LIST_COUNT] if rows else 0
        elif count is None:
            count, exact = list_count()
        if not has_next:
            count, exact = offset + len(rows), True
        elif count <= offset + size:  # an estimate below what the page shows exists
            count = offset + size + 1
        self.cursor_mode = False
        self.number, self.count, self.count_exact, self.has_next = number, count, exact, has_next
        return rows

    def paginate_list(self, items: list, request, view=None) -> list:
        """A numbered page of ``items``, a list built in memory (a few rows from several
        tables, say): exact count, no cursor."""
        self.page_size = getattr(view, "page_size", type(self).page_size)
        self.max_page_size = getattr(view, "max_page_size", type(self).max_page_size)
        self.request, self.view = request, view
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        count = len(items)
        if raw in self.last_page_strings:
            number = max(1, -(-count // size))
        else:
            number = self._page_number(raw)
        offset = (number - 1) * size
        rows = items[offset : offset + size]
        if not rows and number > 1:
            raise NotFound(f"page: {number} is past the last page.")
        self.cursor_mode = False
        self.number, self.count, self.count_exact = number, count, True
        self.has_next = offset + size < count
        return rows

    def _page_number(self, raw: str) -> int:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(f"page: {raw!r} is not a page number.") from None
        if number < 1:
            raise NotFound("page: page numbers start at 1.")
        return number

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError(
                {self.page_size_query_param: [f"{raw!r} is not a whole number."]}
            ) from None
        return max(1, min(size, self.max_page_size))

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        if self.cursor_mode:
            url = remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.cursor_query_param, self.next_cursor)
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    # --- cursor ---------------------------------------------------------------------------

    def _salt(self) -> str:
        # A cursor is valid only on the list that made it.
        view = type(self.view) if self.view is not None else None
        return f"{CURSOR_SALT}:{view.__module__}.{view.__qualname__}" if view else CURSOR_SALT

    def _cursor_page(self, queryset: QuerySet, request, size: int) -> list:
        if self.page_query_param in request.query_params:
            raise _bad_cursor("Give either page or cursor, not both.")
        keys = ordering_keys(queryset)
        queryset = queryset.order_by(*(key.name for key in keys))
        raw = request.query_params[self.cursor_query_param]
        if raw:
            queryset = queryset.filter(_after(keys, self.decode_cursor(raw, keys)))
        rows = list(self._rows(queryset)[: size + 1])
        self.cursor_mode = True
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = self.encode_cursor(rows[-1], keys) if self.has_next else None
        return rows

    def encode_cursor(self, row: Model | dict, keys: list[_Key]) -> str:
        """The signed position just after ``row`` in the ordering ``keys``."""
        values = [_to_json(_value_of(row, key.path)) for key in keys]
        payload = {"o": [key.name for key in keys], "v": values}
        return signing.dumps(payload, salt=self._salt(), compress=True)

    def decode_cursor(self, raw: str, keys: list[_Key]) -> list[Any]:
        """The ordering values a cursor holds; 400 naming ``cursor`` if it is not one of ours
        for this list and ordering."""
        try:
            payload = signing.loads(raw, salt=self._salt())
        except signing.BadSignature:
            raise _bad_cursor("Not a cursor of this list; use the next link as given.") from None
        names = [key.name for key in keys]
        if not isinstance(payload, dict) or payload.get("o") != names:
            raise _bad_cursor("The cursor was made for another ordering of this list.")
        values = payload.get("v")
        if not isinstance(values, list) or len(values) != len(keys):
            raise _bad_cursor("The cursor is malformed.")
        try:
            return [key.field.to_python(value) for key, value in zip(keys, values, strict=True)]
        except (DjangoValidationError, TypeError, ValueError):
            raise _bad_cursor("The cursor is malformed.") from None

    # --- response and schema --------------------------------------------------------------

    def get_paginated_response(self, data) -> Response:
        if self.cursor_mode:
            return Response({"next": self.get_next_link(), "results": data})
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        numbered = super().get_paginated_response_schema(schema)
        numbered["properties"]["count"]["description"] = (
            f"Rows in the list: exact up to {exact_count_limit():,}, above that the "
            "database's estimate."
        )
        cursor = {
            "type": "object",
            "required": ["next", "results"],
            # Closed, so a numbered page (which also has next and results) is not one.
            "additionalProperties": False,
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page's URL (with its cursor); null at the end.",
                },
                "results": schema,
            },
        }
        return {"oneOf": [numbered, cursor]}

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Walk the whole list at constant cost per page: empty for the first page, "
                    "then the cursor of the `next` link. Answers {next, results}, no count; "
                    "not with `page`."
                ),
                "schema": {"type": "string"},
            }
        )
        return parameters


def cursor_for(view: type, queryset: QuerySet, row: Model) -> str:
    """The cursor a list of ``view`` (ordered as ``queryset``) hands out after ``row``: what
    its ``next`` link would carry. For tools that start a walk part-way (the benchmark)."""
    paginator = PageNumberPagination()
    paginator.view = view()
    return paginator.encode_cursor(row, ordering_keys(queryset))
