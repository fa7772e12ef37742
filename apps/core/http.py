"""The SSRF-safe HTTP fetcher: every outgoing request to a URL a school gave us goes here.

``check_url`` refuses what must never be reached from the server: schemes other than
http/https (http only when allowed), credentials in the URL, and hosts that resolve to
private, loopback, link-local, multicast, reserved, shared (100.64.0.0/10) or
cloud-metadata addresses, in IPv4 and IPv6 alike (IPv4-mapped, 6to4, NAT64 and
IPv4-compatible addresses are judged by the IPv4 address they carry or refused
outright). Numeric host spellings such as ``2130706433`` or ``0x7f000001`` resolve
like the address they stand for and are judged as such.

``safe_request`` checks the URL, then connects to the very address it checked (no
second DNS look-up, so no DNS rebinding), sends the request with urllib3, never follows
redirects, bounds the whole exchange by one deadline, keeps only the first bytes of the
answer and refuses bodies past a size limit. ``allow_private`` (for local development
and tests only) lets loopback and private addresses through; link-local, metadata,
multicast and reserved addresses stay refused.

A failure carries a ``kind`` (refused, timeout, tls, ...) and a ``reason`` written from that
kind alone, never from the socket's or the peer's words: schools point Lyceum at hosts of
their choosing, and the raw error text (an SSH banner read as a status line, an OpenSSL
message, a reset after a handshake) would let them probe the ports of any public host.
The raw text stays in ``detail`` for the server's own logs.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

import certifi
import urllib3
import urllib3.connection
from urllib3.exceptions import HTTPError as Urllib3Error

MAX_URL_LENGTH = 2048
DEFAULT_TIMEOUT = 10.0
DEFAULT_KEEP_BYTES = 4096
DEFAULT_MAX_BYTES = 1024 * 1024
USER_AGENT = "Lyceum/1.0"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services, refused even when private targets are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_V4 = ipaddress.ip_network
SHARED_V4 = _V4("100.64.0.0/10")
PRIVATE_V4 = (_V4("10.0.0.0/8"), _V4("172.16.0.0/12"), _V4("192.168.0.0/16"))
PRIVATE_V6 = ipaddress.ip_network("fc00::/7")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
TEREDO = ipaddress.ip_network("2001::/32")


class FailureKind(StrEnum):
    """Why a URL could not be fetched, in categories safe to show to whoever gave the URL."""

    BLOCKED = "blocked"  # the URL or an address it resolves to is refused (see check_url)
    DNS = "dns"  # the host name does not resolve
    REFUSED = "refused"  # nothing listens at the address and port
    TIMEOUT = "timeout"  # no complete answer within the deadline
    TLS = "tls"  # the TLS handshake or the certificate check failed
    CONNECTION = "connection"  # the connection failed or was closed without an answer
    PROTOCOL = "protocol"  # the peer answered something that is not HTTP
    TOO_LARGE = "too_large"  # the answer's body is over the size limit


# The only words a failure reports: written by Lyceum, never taken from the peer or the OS.
FAILURE_REASONS = {
    FailureKind.BLOCKED: "the target is not allowed",
    FailureKind.DNS: "the host name does not resolve",
    FailureKind.REFUSED: "connection refused",
    FailureKind.TIMEOUT: "timed out",
    FailureKind.TLS: "TLS handshake or certificate check failed",
    FailureKind.CONNECTION: "connection failed",
    FailureKind.PROTOCOL: "the answer is not valid HTTP",
    FailureKind.TOO_LARGE: "the response body is over the size limit",
}


class UnsafeURL(ValueError):
    """The URL may not be fetched; ``reason`` says why in words a school can act on.

    ``kind`` is DNS when the host does not resolve, else BLOCKED.
    """

    def __init__(self, reason: str, *, kind: FailureKind = FailureKind.BLOCKED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class FetchError(Exception):
    """The request could not be completed; ``kind`` says how, ``reason`` is its fixed text.

    ``detail`` holds the underlying error's own words, for the server's logs only.
    """

    def __init__(
        self,
        kind: FailureKind,
        *,
        detail: str = "",
        elapsed_ms: int = 0,
        status: int | None = None,
    ) -> None:
        super().__init__(FAILURE_REASONS[kind])
        self.kind = kind
        self.reason = FAILURE_REASONS[kind]
        self.detail = detail[:500]
        self.elapsed_ms = elapsed_ms
        self.status = status


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress


@dataclass
class FetchResult:
    """What came back: status, headers, the first ``keep_bytes`` of the body, timing."""

    status: int
    headers: dict[str, str]
    body: bytes
    body_size: int
    elapsed_ms: int
    address: str
    truncated: bool = False
    extra: dict = field(default_factory=dict)


def forbidden_reason(address: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why ``address`` may not be contacted, or None when it may."""
    if address.version == 6 and not (address.is_loopback or address.is_unspecified):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = forbidden_reason(embedded, allow_private=allow_private)
            return f"{reason} (embedded in {address})" if reason else None
        if address in SIX_TO_FOUR or any(address in net for net in NAT64):
            return f"{address} is a 6to4/NAT64 translation address"
        if address in TEREDO:
            return f"{address} is a Teredo tunnel address"
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_loopback:
        return None if allow_private else f"{address} is a loopback address"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if address.version == 4 and address in SHARED_V4:
        return f"{address} is in the shared address space (100.64.0.0/10)"
    is_private_range = (
        any(address in net for net in PRIVATE_V4) if address.version == 4 else address in PRIVATE_V6
    )
    if is_private_range:
        return None if allow_private else f"{address} is a private address"
    if address.is_reserved or address.is_private or not address.is_global:
        return f"{address} is a reserved or non-public address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried by an IPv4-mapped or IPv4-compatible IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    packed = address.packed
    if packed[:12] == bytes(12) and packed[12:] != bytes(4):  # ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(packed[12:])
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (numeric spellings included), in resolver order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


def check_url_syntax(url: str, *, allow_http: bool = False) -> tuple[str, str, int, str]:
    """Validate the URL's form without touching the network; returns scheme, host, port, path."""
    if not isinstance(url, str) or not url:
        raise UnsafeURL("Give an absolute URL.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise UnsafeURL("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"The URL is malformed ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL(f"Only https URLs are accepted, not {scheme or 'a relative'} URLs.")
    if scheme == "http" and not allow_http:
        raise UnsafeURL("Only https URLs are accepted (http is disabled on this server).")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeURL(
            "The URL must not contain credentials; use basic_auth_username and "
            "basic_auth_password instead."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("The URL has no host name.")
    try:
        host = host.encode("idna").decode("ascii")  # internationalised names as punycode
    except UnicodeError:
        raise UnsafeURL("The URL's host name is not valid.") from None
    if not (parts.path + parts.query).isascii():
        raise UnsafeURL("The URL's path and query must be ASCII; percent-encode other characters.")
    if port == 0:
        raise UnsafeURL("The URL's port is not valid.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def check_url(url: str, *, allow_http: bool = False, allow_private: bool = False) -> Target:
    """Check form and every resolved address; returns where to connect or raises UnsafeURL."""
    scheme, host, port, path = check_url_syntax(url, allow_http=allow_http)
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeURL(f"The host name {host!r} does not resolve.", kind=FailureKind.DNS) from None
    if not addresses:
        raise UnsafeURL(f"The host name {host!r} does not resolve.", kind=FailureKind.DNS)
    for address in addresses:
        reason = forbidden_reason(address, allow_private=allow_private)
        if reason:
            raise UnsafeURL(f"The URL's host {host!r} is not allowed: {reason}.")
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = target.host
    if ":" in host:  # a literal IPv6 address
        host = f"[{host}]"
    return host if target.port == default else f"{host}:{target.port}"


def _connection(target: Target, timeout: float) -> urllib3.connection.HTTPConnection:
    """A one-use connection aimed at the checked address, never at the host name."""
    options = {"host": str(target.address), "port": target.port, "timeout": timeout}
    if target.scheme == "https":
        return urllib3.connection.HTTPSConnection(
            **options,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.connection.HTTPConnection(**options)


class _Watchdog:
    """Cuts the connection when the deadline passes, whatever stage the exchange is in, so
    a receiver that drips bytes slowly cannot hold a worker past the timeout."""

    def __init__(self, seconds: float, connection: urllib3.connection.HTTPConnection) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self._connection, "sock", None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed: the reader is done either way
            pass

    def cancel(self) -> None:
        self._timer.cancel()


@dataclass
class StreamedResponse:
    """An open response: status, headers, and ``chunks()`` bounded by ``max_bytes``."""

    status: int
    headers: dict[str, str]
    address: str
    started: float
    _response: urllib3.BaseHTTPResponse
    _max_bytes: int
    _watchdog: _Watchdog

    def chunks(self, size: int = 64 * 1024) -> Iterator[bytes]:
        """Yield the body; FetchError once more than ``max_bytes`` arrive or time runs out."""
        length = self.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_bytes:
            raise FetchError(
                FailureKind.TOO_LARGE,
                detail=f"Content-Length {int(length)} is over {self._max_bytes} bytes",
                elapsed_ms=self.elapsed_ms(),
                status=self.status,
            )
        received = 0
        try:
            while True:
                chunk = self._response.read(size)
                if not chunk:
                    return
                received += len(chunk)
                if received > self._max_bytes:
                    raise FetchError(
                        FailureKind.TOO_LARGE,
                        detail=f"body over {self._max_bytes} bytes",
                        elapsed_ms=self.elapsed_ms(),
                        status=self.status,
                    )
                yield chunk
        except (Urllib3Error, OSError, http.client.HTTPException) as exc:
            raise _failure(exc, self._watchdog, self.started, status=self.status) from None

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def failure_kind(exc: BaseException) -> FailureKind:
    """The category of a failed exchange, judged by exception types, never by their text."""
    chain = _causes(exc)

    def found(*types: type[BaseException]) -> bool:
        return any(isinstance(item, types) for item in chain)

    if found(ssl.SSLError, ssl.CertificateError, urllib3.exceptions.SSLError):
        return FailureKind.TLS
    if found(ConnectionRefusedError):
        return FailureKind.REFUSED
    if found(socket.gaierror):
        return FailureKind.DNS
    # urllib3's NewConnectionError is a ConnectTimeoutError too: only a plain one timed out.
    timed_out = any(
        isinstance(item, TimeoutError | urllib3.exceptions.ReadTimeoutError)
        or type(item) is urllib3.exceptions.ConnectTimeoutError
        for item in chain
    )
    if timed_out:
        return FailureKind.TIMEOUT
    if found(ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead):
        return FailureKind.CONNECTION
    if found(http.client.HTTPException, urllib3.exceptions.ProtocolError, ValueError):
        return FailureKind.PROTOCOL
    return FailureKind.CONNECTION


def _failure(
    exc: BaseException, watchdog: _Watchdog, started: float, status: int | None = None
) -> FetchError:
    elapsed = int((time.monotonic() - started) * 1000)
    kind = FailureKind.TIMEOUT if watchdog.fired else failure_kind(exc)
    detail = f"{type(exc).__name__}: {exc}"
    return FetchError(kind, detail=detail, elapsed_ms=elapsed, status=status)


@contextmanager
def open_url(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_http: bool = False,
    allow_private: bool = False,
) -> Iterator[StreamedResponse]:
    """Check ``url``, send the request to the checked address and yield the open response.

    The whole exchange, body included, must finish within ``timeout`` seconds. Redirects
    are returned as they are, never followed. Raises UnsafeURL or FetchError.
    """
    target = check_url(url, allow_http=allow_http, allow_private=allow_private)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    request_headers["Host"] = _host_header(target)
    started = time.monotonic()
    connection = _connection(target, timeout)
    watchdog = _Watchdog(timeout, connection)
    try:
        try:
            connection.request(
                method,
                target.path,
                body=body,
                headers=request_headers,
                preload_content=False,
                decode_content=True,
            )
            response = connection.getresponse()
        except (Urllib3Error, OSError, http.client.HTTPException, ValueError) as exc:
            raise _failure(exc, watchdog, started) from None
        yield StreamedResponse(
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            address=str(target.address),
            started=started,
            _response=response,
            _max_bytes=max_bytes,
            _watchdog=watchdog,
        )
    finally:
        watchdog.cancel()
        connection.close()


def safe_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    keep_bytes: int = DEFAULT_KEEP_BYTES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_http: bool = False,
    allow_private: bool = False,
) -> FetchResult:
    """Send one request through ``open_url``; keep the first ``keep_bytes`` of the body.

    Raises UnsafeURL (refused before connecting) or FetchError (timeout, connection or TLS
    failure, body over ``max_bytes``).
    """
    with open_url(
        method,
        url,
        headers=headers,
        body=body,
        timeout=timeout,
        max_bytes=max_bytes,
        allow_http=allow_http,
        allow_private=allow_private,
    ) as response:
        kept = bytearray()
        size = 0
        for chunk in response.chunks():
            size += len(chunk)
            if len(kept) < keep_bytes:
                kept.extend(chunk[: keep_bytes - len(kept)])
        return FetchResult(
            status=response.status,
            headers=response.headers,
            body=bytes(kept),
            body_size=size,
            elapsed_ms=response.elapsed_ms(),
            address=response.address,
            truncated=size > len(kept),
        )
