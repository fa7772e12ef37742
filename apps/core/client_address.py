"""The address of the client behind a request, for rate limits and the request log.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far
as it was written by a proxy the operator trusts (``TRUSTED_PROXIES``): the header is read
from the right, past the trusted proxies' own entries, and the first address that is not
a trusted proxy is the client. Without trusted proxies the socket's peer is the client,
whatever the header says, so a client cannot pick its own rate-limit bucket.
"""

import ipaddress
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client reached over an IPv6 socket is the same client as over IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: Any) -> str:
    """The client's IP address: the socket peer, or the nearest untrusted hop that trusted
    proxies recorded in ``X-Forwarded-For``. Never an address the client wrote itself."""
    raw = getattr(request, "_request", request)
    remote = raw.META.get("REMOTE_ADDR", "")
    peer = _address(remote)
    if peer is None:  # not an IP socket (a test client, a Unix socket): keep what we were told
        return remote or "unknown"
    networks = settings.TRUSTED_PROXIES
    if not _trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(raw.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = _address(entry)
        if hop is None:  # garbage where a proxy should have written an address: stop here
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)
