"""Request ids, the one-line request log, rate-limit headers, the database-busy answer,
chunked bodies, the body size limit and the NUL-character guard."""

import io
import logging
import re
import time
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.client_address import client_address
from apps.core.codes import CoreErrorCode
from apps.core.errors import (
    database_busy_response,
    envelope,
    is_database_busy,
    json_error,
    request_id_of,
)
from apps.core.ids import new_ulid

logger = logging.getLogger("lyceum.request")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
# Paths whose last part is a secret (an invite link's signed token works as a password):
# logs keep the route and drop the secret.
_SECRET_PATHS = (re.compile(r"^(/invites/)[^/]+"),)


def loggable_path(path: str) -> str:
    """``path`` with any secret it carries replaced by ``<redacted>``."""
    for pattern in _SECRET_PATHS:
        path = pattern.sub(r"\1<redacted>", path)
    return path


class RequestIdMiddleware:
    """Give every request an id (``X-Request-ID``) and log one line when it finishes.

    A well-formed ``X-Request-ID`` sent by the client (8-100 safe characters) is kept so
    calls can be traced across systems; anything else is replaced by ``req_<ulid>``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else f"req_{new_ulid()}"
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        rate = getattr(request, "lyceum_ratelimit", None)
        if rate is not None:
            limit, remaining, reset = rate
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(reset)
        if not logger.isEnabledFor(logging.INFO):  # spare the client address lookup
            return response
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "method=%s path=%s status=%s duration_ms=%.1f client=%s school=%s request_id=%s",
            request.method,
            loggable_path(request.path),
            response.status_code,
            duration_ms,
            client_address(request),
            getattr(request, "lyceum_school_slug", "-"),
            request.request_id,
        )
        return response


class DatabaseBusyMiddleware:
    """A non-API view (admin, invite pages) that lost the wait for a database lock answers
    503 with Retry-After in the envelope, not 500; API views get the same from DRF's
    exception handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("database busy, answering 503: %s", exception)
        return database_busy_response(request)


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Read ``stream`` to its end or until ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(64 * 1024, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class ChunkedBodyMiddleware:
    """Read a chunked body (``Transfer-Encoding: chunked``, no ``Content-Length``) where the
    server ends the input at the end of the body, else refuse it with 411.

    Django reads exactly ``Content-Length`` bytes, so without one it saw an empty body: a
    chunked PATCH answered 200 and changed nothing. A server that decodes the chunks and
    says where the body ends (``wsgi.input_terminated``, as gunicorn does) lets us read
    it, up to the body size limit; any other server (runserver) gets 411, never a silent
    no-op.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        encodings = meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if "chunked" not in encodings or meta.get("CONTENT_LENGTH"):
            return self.get_response(request)
        if not meta.get("wsgi.input_terminated"):
            return json_error(
                request,
                status_code=411,
                detail="Send the body with a Content-Length header (chunked bodies are not "
                "read by this server).",
                code=CoreErrorCode.LENGTH_REQUIRED,
            )
        limit = settings.LYCEUM_MAX_BODY_BYTES
        body = _read_at_most(meta["wsgi.input"], limit + 1)
        if len(body) > limit:
            return json_error(
                request,
                status_code=413,
                detail="The request body is larger than the 1 MiB limit.",
                code=CoreErrorCode.REQUEST_TOO_LARGE,
            )
        # From here on the request is an ordinary one with a known length: Django (and DRF,
        # which reads nothing without CONTENT_LENGTH) read the buffered body. Setting
        # ``_stream`` is how Django's own WSGIRequest provides the body.
        meta["CONTENT_LENGTH"] = str(len(body))
        request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse bodies declared larger than ``LYCEUM_MAX_BODY_BYTES`` with 413 before parsing;
    the upload routes of ``LYCEUM_UPLOAD_ROUTES`` (path pattern, limit) take their own
    limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.upload_routes = [
            (re.compile(pattern), limit)
            for pattern, limit in getattr(settings, "LYCEUM_UPLOAD_ROUTES", ())
        ]

    def _limit(self, path: str) -> int:
        for pattern, limit in self.upload_routes:
            if pattern.match(path):
                return limit
        return settings.LYCEUM_MAX_BODY_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return json_error(
                request,
                status_code=400,
                detail="Content-Length is not a number.",
                code=CoreErrorCode.INVALID,
            )
        limit = self._limit(request.path)
        if length > limit and request.path.startswith("/api/"):
            return json_error(
                request,
                status_code=413,
                detail=f"The request body is larger than the {limit / 1024**2:g} MiB limit.",
                code=CoreErrorCode.REQUEST_TOO_LARGE,
            )
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuse NUL characters in the path (404) or query string (400 naming the parameter).

    PostgreSQL stores no NUL in text, so such a value would turn a lookup or a filter into
    a database error (500) instead of the "not found" or "bad input" it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return json_error(
                request, status_code=404, detail="Not found.", code=CoreErrorCode.NOT_FOUND
            )
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                field = name.replace("\x00", "") or "query"
                message = "Null characters are not allowed."
                return JsonResponse(
                    envelope(
                        detail=f"{field}: {message}",
                        code=CoreErrorCode.INVALID,
                        errors={field: [message]},
                        request_id=request_id_of(request),
                    ),
                    status=400,
                )
        return self.get_response(request)
