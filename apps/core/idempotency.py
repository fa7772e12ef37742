"""``Idempotency-Key`` on POST: same key and body within 24 h replays the first response.

The same key on another path is 422 ``idempotency_key_path_mismatch``, with a different
body 422 ``idempotency_key_reused``; a duplicate that arrives while the first is still
running is 409. Records are per school and per credential, so two integrators
cannot collide. The first request's record is inserted (and committed) before the view
runs; the unique constraint makes concurrent duplicates wait on it and then see it.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from apps.core.codes import CoreErrorCode
from apps.core.credentials import Credential
from apps.core.errors import Conflict, InvalidInput, Unprocessable
from apps.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Response headers worth replaying.
REPLAYED_HEADERS = ("Location", "Content-Type")


class Replay(Exception):
    """Raised by ``begin`` to short-circuit the view with the stored response."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("idempotent replay")
        self.response = response


@dataclass
class Claim:
    record_id: int


def _request_hash(request) -> str:
    raw = getattr(request, "_request", request)
    digest = hashlib.sha256()
    digest.update(raw.method.encode())
    digest.update(b"\0")
    digest.update(raw.get_full_path().encode("utf-8", "replace"))
    digest.update(b"\0")
    if int(raw.META.get("CONTENT_LENGTH") or 0) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        digest.update(raw.body)
    else:
        _digest_upload(request, digest)
    return digest.hexdigest()


def _digest_upload(request, digest) -> None:
    """Hash an upload larger than Django keeps in memory (only upload routes take one) from
    what the parser made of it, files read in chunks: ``request.body`` would refuse it, and
    the stream can be read only once."""
    for name, values in sorted(request.data.lists()):
        digest.update(name.encode("utf-8", "replace") + b"\0")
        for value in values:
            if isinstance(value, UploadedFile):
                digest.update((value.name or "").encode("utf-8", "replace") + b"\0")
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(str(value).encode("utf-8", "replace"))
            digest.update(b"\0")


def begin(request) -> Claim | None:
    """Claim the request's idempotency key; raise ``Replay``, 409 or 422 when it is taken."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    credential = request.auth
    if key is None or not isinstance(credential, Credential):
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.", field=HEADER)
    request_hash = _request_hash(request)
    path = getattr(request, "_request", request).path
    lookup = {"school": credential.school, "credential": credential.identity, "key": key}
    IdempotencyRecord.objects.filter(**lookup, created_at__lt=timezone.now() - TTL).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                **lookup, request_hash=request_hash, request_path=path
            )
        return Claim(record_id=record.pk)
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(**lookup).first()
    if record is None:  # the first request failed and released the key meanwhile
        raise Conflict(
            "A request with this Idempotency-Key just finished with an error; retry.",
            code=CoreErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
        )
    if record.request_path and record.request_path != path:
        raise Unprocessable(
            "This Idempotency-Key was used on another path; a key names one request: "
            "send a new key for this one.",
            code=CoreErrorCode.IDEMPOTENCY_KEY_PATH_MISMATCH,
            field=HEADER,
        )
    if record.request_hash != request_hash:
        raise Unprocessable(
            "This Idempotency-Key was used with a different request body.",
            code=CoreErrorCode.IDEMPOTENCY_KEY_REUSED,
            field=HEADER,
        )
    if record.state != IdempotencyRecord.State.DONE:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed.",
            code=CoreErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
        )
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status,
        content_type=record.response_headers.get("Content-Type", "application/json"),
    )
    for name, value in record.response_headers.items():
        if name != "Content-Type":
            response[name] = value
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def text_bodies() -> Q:
    """Records whose stored body is text (JSON or ``text/*``; no Content-Type replays as
    JSON): the ones that can hold a person's data as text, and the only ones erasure reads
    (a file's bytes are never decoded and rewritten)."""
    content_type = "response_headers__Content-Type"
    return (
        Q(**{f"{content_type}__istartswith": "application/json"})
        | Q(**{f"{content_type}__istartswith": "text/"})
        | ~Q(response_headers__has_key="Content-Type")
    )


def finish(claim: Claim, response: HttpResponse) -> None:
    """Store the response for replay, or release the key if the server failed."""
    if response.status_code >= 500 or response.status_code in (409, 429):
        release(claim)
        return
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    IdempotencyRecord.objects.filter(pk=claim.record_id).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status_code,
        response_body=response.content,
        response_headers={h: response[h] for h in REPLAYED_HEADERS if h in response},
    )


def release(claim: Claim) -> None:
    """Forget the key so the client can retry after a failure."""
    IdempotencyRecord.objects.filter(pk=claim.record_id).delete()


def prune_records() -> int:
    """Delete records older than the replay window."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
