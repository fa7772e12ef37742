"""Exceptions services raise, and the one handler that turns every error into the envelope.

Every error response is ``{"detail", "code", "errors", "request_id"}`` where ``errors``
maps a field name (dotted for nested fields) to a list of messages.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError, models, transaction
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.core.codes import CoreErrorCode

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """A domain error with an HTTP status and a machine-readable code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request could not be processed."
    default_code = CoreErrorCode.INVALID

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(detail or self.default_detail, code or self.default_code)
        self.code = str(code or self.default_code)
        self.field = field
        if status_code is not None:
            self.status_code = status_code


class InvalidInput(ApiError):
    """400: the input breaks a rule; ``field`` names the offending field."""


class NotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."
    default_code = CoreErrorCode.NOT_FOUND


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = CoreErrorCode.CONFLICT


class Unprocessable(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = CoreErrorCode.INVALID


@contextmanager
def conflict_on_duplicate(constraint: str, conflict: Conflict) -> Iterator[None]:
    """Run the block in a savepoint; a violation of the unique constraint ``constraint``
    raises ``conflict`` (409), any other integrity error propagates as is.

    ``constraint`` is a ``UniqueConstraint``'s name, or ``"<db_table>.<column>"`` for a
    field declared ``unique=True`` (whose index name the database picks).

    The one way a service enforces uniqueness: write, and let the database's constraint
    decide (a ``Lower()`` constraint where the rule ignores case). No ``exists()`` check
    first: it would be a second, racy copy of the rule, and the constraint already answers
    both the plain duplicate and the write that lost a race with a concurrent one (409,
    never 500). Keyed by the constraint so an unrelated violation in the same block
    (another unique column, a foreign key) is not reported as this conflict.
    """
    unique_constraint(constraint)  # a misspelt key fails at once, not on the first clash
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if violates(exc, constraint):
            raise conflict from None
        raise


@dataclass(frozen=True)
class UniqueRule:
    """Where a unique constraint lives: its table, and its columns (None for an expression
    constraint such as ``Lower("name")``, which only its name identifies)."""

    name: str
    table: str
    columns: tuple[str, ...] | None


@cache
def unique_constraint(key: str) -> UniqueRule:
    """The unique constraint a ``conflict_on_duplicate`` key names; LookupError if no
    installed model declares it."""
    for model in django_apps.get_models():
        table = model._meta.db_table
        for constraint in model._meta.constraints:
            if constraint.name == key and isinstance(constraint, models.UniqueConstraint):
                columns = tuple(model._meta.get_field(f).column for f in constraint.fields)
                return UniqueRule(key, table, columns or None)
        for field in model._meta.local_concrete_fields:
            if field.unique and not field.primary_key and key == f"{table}.{field.column}":
                return UniqueRule(key, table, (field.column,))
    raise LookupError(f"No model declares the unique constraint {key!r}.")


def violates(exc: IntegrityError, key: str) -> bool:
    """Whether ``exc`` is a violation of the unique constraint ``key`` names.

    PostgreSQL names the constraint (psycopg's ``diag``) and, for a unique column, the key
    in its detail; SQLite names an expression index and lists a constraint's columns.
    """
    rule = unique_constraint(key)
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:
        if diag.constraint_name == rule.name:
            return True
        detail = diag.message_detail or ""
        return (
            "." in rule.name
            and diag.table_name == rule.table
            and detail.startswith(f"Key ({', '.join(rule.columns or ())})=")
        )
    if rule.columns is None:
        return str(exc) == f"UNIQUE constraint failed: index '{rule.name}'"
    columns = ", ".join(f"{rule.table}.{column}" for column in rule.columns)
    return str(exc) == f"UNIQUE constraint failed: {columns}"


class DatabaseBusy(ApiError):
    """503: the database stayed locked by other writes past the wait; retrying can succeed."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is busy with other writes; retry after Retry-After seconds."
    default_code = CoreErrorCode.DATABASE_BUSY
    wait = 1.0  # seconds, sent as Retry-After


# PostgreSQL's "try again" states: serialization failure, deadlock, lock_timeout.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a lock the database gave up waiting for, so a retry can succeed.

    SQLite says "database is locked" once its busy timeout runs out (settings: WAL, write
    lock taken at BEGIN IMMEDIATE, busy timeout); PostgreSQL gives a retryable SQLSTATE.
    """
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    return getattr(exc.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES


class RequestTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the 1 MiB limit."
    default_code = CoreErrorCode.REQUEST_TOO_LARGE


_CODES_BY_EXCEPTION: list[tuple[type[Exception], str]] = [
    (exceptions.ParseError, CoreErrorCode.PARSE_ERROR),
    (exceptions.NotAuthenticated, CoreErrorCode.NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, CoreErrorCode.AUTHENTICATION_FAILED),
    (exceptions.PermissionDenied, CoreErrorCode.PERMISSION_DENIED),
    (exceptions.NotFound, CoreErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, CoreErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, CoreErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, CoreErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, CoreErrorCode.THROTTLED),
]


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into ``{"user.email": ["..."]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten_errors(item, name).items():
                    flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def _first_code(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            code = _first_code(value)
            if code:
                return code
    elif isinstance(detail, list):
        for value in detail:
            code = _first_code(value)
            if code:
                return code
    elif isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return None


def request_id_of(request: Any) -> str | None:
    """The id the request-id middleware gave this request."""
    raw = getattr(request, "_request", request)
    return getattr(raw, "request_id", None)


def envelope(
    *, detail: str, code: str, errors: dict | None = None, request_id: str | None = None
) -> dict:
    """The error body every 4xx/5xx response carries."""
    return {"detail": detail, "code": code, "errors": errors or {}, "request_id": request_id}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler: every error becomes the envelope with the right status."""
    request = context.get("request")
    if is_database_busy(exc):
        logger.warning("database busy, answering 503: %s", exc)
        exc = DatabaseBusy()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    if not isinstance(exc, exceptions.APIException):
        return None

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        field, messages = next(iter(errors.items())) if errors else ("", ["Invalid input."])
        detail = messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
        code = _first_code(exc.detail) or CoreErrorCode.INVALID
        if code in {"invalid", "required", "null", "blank"} or not code:
            code = CoreErrorCode.INVALID
        body = envelope(detail=detail, code=code, errors=errors, request_id=request_id_of(request))
    else:
        code = getattr(exc, "code", None)
        if not isinstance(exc, ApiError):
            # A code given where the exception was raised (``missing_scope``) wins over the
            # generic code of its class.
            own = _first_code(exc.detail)
            code = own if own and own != exc.default_code else None
            code = code or next(
                (c for klass, c in _CODES_BY_EXCEPTION if isinstance(exc, klass)),
                own or CoreErrorCode.INVALID,
            )
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        errors = {}
        field = getattr(exc, "field", None)
        if field:
            errors = {field: [detail]}
        body = envelope(
            detail=str(detail), code=str(code), errors=errors, request_id=request_id_of(request)
        )

    from rest_framework.views import set_rollback  # imported late: DRF's views import us

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def json_error(request: HttpRequest, *, status_code: int, detail: str, code: str) -> JsonResponse:
    """An envelope response for errors raised outside DRF views."""
    return JsonResponse(
        envelope(detail=detail, code=code, request_id=request_id_of(request)), status=status_code
    )


def database_busy_response(request: HttpRequest) -> JsonResponse:
    """The 503 envelope, with Retry-After, for a lock error raised outside DRF views."""
    busy = DatabaseBusy()
    response = json_error(
        request, status_code=busy.status_code, detail=str(busy.detail), code=busy.code
    )
    response["Retry-After"] = str(int(busy.wait))
    return response


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, status_code=404, detail="Not found.", code=CoreErrorCode.NOT_FOUND)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, status_code=400, detail="Bad request.", code=CoreErrorCode.INVALID)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(
        request, status_code=403, detail="Permission denied.", code=CoreErrorCode.PERMISSION_DENIED
    )


def handler500(request: HttpRequest) -> JsonResponse:
    # Django calls this while handling the uncaught exception, so it is still at hand: a
    # lock raised where no view handler saw it (a middleware's write) is a 503 too.
    if is_database_busy(sys.exc_info()[1]):
        return database_busy_response(request)
    return json_error(
        request,
        status_code=500,
        detail="Internal server error; quote the request_id when reporting it.",
        code=CoreErrorCode.SERVER_ERROR,
    )
