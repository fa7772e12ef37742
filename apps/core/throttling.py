"""Fixed-window rate limits on the shared cache, with ``X-RateLimit-*`` headers.

On Redis the count is one script call (``INCR`` + ``EXPIRE NX``: one round trip, atomic), so
every web process shares one budget per credential; other cache backends (the embedded
local-memory cache) use ``add`` + ``incr`` (``apps.core.shared_cache``). The middleware
copies the figures onto the response; DRF's ``Throttled`` becomes a 429 with ``Retry-After``.
"""

import hashlib
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from apps.core import shared_cache
from apps.core.client_address import client_address
from apps.core.credentials import Credential

WINDOW_SECONDS = 60
KEY_TTL = WINDOW_SECONDS + 5


def count_hit(key: str) -> int:
    """Add one hit to ``key`` (expiring after the window) and return the new count."""
    return shared_cache.count_hit(key, KEY_TTL)


class FixedWindowThrottle(BaseThrottle):
    """Allow a number of requests per minute per bucket; subclasses name the buckets.

    A request counts against each of its buckets and is refused when any is spent; the
    headers report the bucket closest to its limit.
    """

    def bucket(self, request, view) -> tuple[str, int]:
        """Return ``(bucket key, requests allowed per minute)`` for this request."""
        raise NotImplementedError

    def buckets(self, request, view) -> list[tuple[str, int]]:
        return [self.bucket(request, view)]

    def allow_request(self, request, view) -> bool:
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        reset = (window + 1) * WINDOW_SECONDS
        allowed, tightest = True, None
        for name, limit in self.buckets(request, view):
            count = count_hit(f"throttle:{name}:{window}")
            allowed = allowed and count <= limit
            remaining = max(0, limit - count)
            if tightest is None or remaining < tightest[1]:
                tightest = (limit, remaining)
        raw = getattr(request, "_request", request)
        raw.lyceum_ratelimit = (*tightest, reset)
        self._wait = max(1.0, reset - now)
        return allowed

    def wait(self) -> float:
        return self._wait

    def get_ident(self, request) -> str:
        """The client's address as ``client_address`` finds it (DRF's own believes any
        ``X-Forwarded-For``, so a client could pick a fresh bucket per request)."""
        return client_address(request)


class CredentialRateThrottle(FixedWindowThrottle):
    """One budget per API key or user; anonymous callers share one per address."""

    def bucket(self, request, view) -> tuple[str, int]:
        limits = settings.LYCEUM_RATE_LIMITS
        credential = request.auth
        if isinstance(credential, Credential):
            return f"credential:{credential.identity}", limits["credential"]
        return f"anonymous:{self.get_ident(request)}", limits["anonymous"]


class PersonRateThrottle(FixedWindowThrottle):
    """One budget per person for one sensitive write (``LYCEUM_RATE_LIMITS[name]`` a
    minute), whichever credential acts for them: the learner's own token or an API key
    naming them. The view checks it once it knows the person (``check_person_rate``)."""

    def __init__(self, name: str, user_id: str) -> None:
        self.name = name
        self.user_id = user_id

    def bucket(self, request, view) -> tuple[str, int]:
        return f"{self.name}:user:{self.user_id}", settings.LYCEUM_RATE_LIMITS[self.name]


def check_person_rate(view, name: str, user_id: str) -> None:
    """Count one ``name`` write for the person against their budget; 429 when it is spent."""
    throttle = PersonRateThrottle(name, user_id)
    if not throttle.allow_request(view.request, view):
        view.throttled(view.request, throttle.wait())


class CredentialActionThrottle(FixedWindowThrottle):
    """One budget per credential for one sensitive endpoint (``LYCEUM_RATE_LIMITS[name]``
    a minute), beside the credential's general budget."""

    def __init__(self, name: str, identity: str) -> None:
        self.name = name
        self.identity = identity

    def bucket(self, request, view) -> tuple[str, int]:
        return f"{self.name}:credential:{self.identity}", settings.LYCEUM_RATE_LIMITS[self.name]


def check_credential_rate(view, name: str) -> None:
    """Count one call of the sensitive endpoint ``name`` against the caller's credential's
    budget for it; 429 when it is spent."""
    throttle = CredentialActionThrottle(name, view.request.auth.identity)
    if not throttle.allow_request(view.request, view):
        view.throttled(view.request, throttle.wait())


class AuthRateThrottle(FixedWindowThrottle):
    """Credential guessing on the token endpoints, limited two ways.

    Per account and address (``auth`` a minute): failing on purpose from many addresses
    cannot lock the account's owner out, since each address has its own budget. Per
    address (``auth_address`` a minute, whatever the account): one address spraying many
    accounts is stopped. Views name the account with ``throttle_account(request)``, the
    one school account it addresses (school and e-mail key, or the token's subject);
    without one only the address budget applies.
    """

    def buckets(self, request, view) -> list[tuple[str, int]]:
        limits = settings.LYCEUM_RATE_LIMITS
        address = self.get_ident(request)
        account = getattr(view, "throttle_account", None)
        name = account(request) if account else None
        buckets = [(f"auth:address:{address}", limits["auth_address"])]
        if name:
            # The account name is raw client input: hash it so the cache key stays short.
            digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]
            buckets.append((f"auth:account:{digest}:{address}", limits["auth"]))
        return buckets


class _NamedAccount:
    """A stand-in view naming the account of a sign-in made outside DRF."""

    def __init__(self, account: str | None) -> None:
        self.account = account

    def throttle_account(self, request) -> str | None:
        return self.account


def login_attempt_allowed(request, *, account: str | None) -> bool:
    """Count a sign-in attempt made outside the API (the admin's login form) against the
    same budgets as the token endpoints; False when one is spent."""
    return AuthRateThrottle().allow_request(request, _NamedAccount(account))
