"""Bringing a school's file (an asset, a package zip) from its URL into Lyceum's storage.

Every hop goes through core's SSRF-safe fetcher (``apps.core.http``): the URL is checked,
the connection goes to the checked address, the body is bounded in bytes and time.
Redirects are followed (at most ``MAX_REDIRECTS``), each target checked like the first.
The body streams to storage in chunks, so a worker's memory stays flat whatever the file's
size. Failures raise ``DownloadFailed`` with a reason a school can act on.
"""

import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage

from apps.core.http import FetchError, UnsafeURL, check_url_syntax, open_url

MAX_REDIRECTS = 5
CHUNK = 1024 * 1024


class DownloadFailed(Exception):
    """The file could not be fetched; ``reason`` says why (never the peer's raw words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Downloaded:
    """What arrived: the stored name, its declared content type and its size in bytes."""

    name: str
    content_type: str
    size: int


def check_source_url(url: str) -> str:
    """``url`` if its form may be fetched (scheme, length, no credentials), else
    DownloadFailed; where it resolves is checked when it is fetched."""
    try:
        check_url_syntax(url, allow_http=settings.CATALOG_IMPORT_ALLOW_HTTP)
    except UnsafeURL as exc:
        raise DownloadFailed(exc.reason) from None
    return url


class _Body(io.RawIOBase):
    """The response's chunks as a readable stream, counting what passed through."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.size += count
        return count


def _accept_any(content_type: str, url: str) -> str:
    return content_type


@contextmanager
def _opened(
    url: str, *, max_bytes: int, accept: Callable[[str, str], str] = _accept_any
) -> Iterator[tuple[str, io.BufferedReader, _Body]]:
    """The final response after redirects: (content type, body stream, counter).

    ``accept(content_type, url)`` judges the declared type before the body is read: it
    returns the type to record or raises DownloadFailed."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with open_url(
                "GET",
                url,
                timeout=settings.CATALOG_IMPORT_TIMEOUT,
                max_bytes=max_bytes,
                allow_http=settings.CATALOG_IMPORT_ALLOW_HTTP,
                allow_private=settings.CATALOG_IMPORT_ALLOW_PRIVATE,
            ) as response:
                location = response.headers.get("location", "")
                if response.status in (301, 302, 303, 307, 308) and location:
                    url = urljoin(url, location)
                    continue
                if not 200 <= response.status < 300:
                    raise DownloadFailed(f"The server answered {response.status}, not 200.")
                declared = response.headers.get("content-type", "").split(";")[0].strip()
                content_type = accept(declared.lower(), url)
                body = _Body(response.chunks(CHUNK))
                yield content_type, io.BufferedReader(body, CHUNK), body
                return
        except UnsafeURL as exc:
            raise DownloadFailed(exc.reason) from None
        except FetchError as exc:
            raise DownloadFailed(exc.reason) from None
    raise DownloadFailed(f"More than {MAX_REDIRECTS} redirects.")


def download_to_storage(
    url: str,
    *,
    storage: Storage,
    name: str,
    max_bytes: int,
    accept: Callable[[str, str], str] = _accept_any,
) -> Downloaded:
    """Stream the file at ``url`` into ``storage`` as ``name``; DownloadFailed otherwise
    (nothing is left stored on failure)."""
    with _opened(url, max_bytes=max_bytes, accept=accept) as (content_type, stream, body):
        try:
            stored = storage.save(name, File(stream, name=name))
        except FetchError as exc:
            # The store may hold what arrived before the failure: a partial file is no file.
            if storage.exists(name):
                storage.delete(name)
            raise DownloadFailed(exc.reason) from None
        return Downloaded(name=stored, content_type=content_type, size=body.size)


@contextmanager
def download_to_temporary_file(url: str, *, max_bytes: int) -> Iterator[tuple[str, str]]:
    """The file at ``url`` in a temporary file, as (path, content type); removed on exit."""
    with tempfile.NamedTemporaryFile(prefix="lyceum-import-", suffix=".zip") as handle:
        with _opened(url, max_bytes=max_bytes) as (content_type, stream, _body):
            try:
                shutil.copyfileobj(stream, handle, CHUNK)
            except FetchError as exc:
                raise DownloadFailed(exc.reason) from None
        handle.flush()
        yield handle.name, content_type
