"""Request ids, the one-line request log, rate-limit headers and the body size limit."""

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.core.codes import CoreErrorCode
from apps.core.errors import json_error
from apps.core.ids import new_ulid

logger = logging.getLogger("lyceum.request")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


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
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "method=%s path=%s status=%s duration_ms=%.1f school=%s request_id=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            getattr(request, "lyceum_school_slug", "-"),
            request.request_id,
        )
        return response


class BodySizeLimitMiddleware:
    """Refuse bodies declared larger than ``LYCEUM_MAX_BODY_BYTES`` with 413 before parsing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

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
        if length > settings.LYCEUM_MAX_BODY_BYTES and request.path.startswith("/api/"):
            return json_error(
                request,
                status_code=413,
                detail="The request body is larger than the 1 MiB limit.",
                code=CoreErrorCode.REQUEST_TOO_LARGE,
            )
        return self.get_response(request)
