"""Fixed-window rate limits on the shared cache, with ``X-RateLimit-*`` headers.

On Redis the count is one pipelined ``INCR`` + ``EXPIRE NX`` (one round trip, atomic), so
every web process shares one budget per credential; other cache backends (the embedded
local-memory cache) use ``add`` + ``incr``. The middleware copies the figures onto the
response; DRF's ``Throttled`` becomes a 429 with ``Retry-After``.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

from apps.core.credentials import Credential

WINDOW_SECONDS = 60
KEY_TTL = WINDOW_SECONDS + 5


def count_hit(key: str) -> int:
    """Add one hit to ``key`` (expiring after the window) and return the new count."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, KEY_TTL, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout=KEY_TTL)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=KEY_TTL)
        return 1


class FixedWindowThrottle(BaseThrottle):
    """Allow a number of requests per minute per bucket; subclasses name the bucket."""

    def bucket(self, request, view) -> tuple[str, int]:
        """Return ``(bucket key, requests allowed per minute)`` for this request."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        name, limit = self.bucket(request, view)
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        count = count_hit(f"throttle:{name}:{window}")
        reset = (window + 1) * WINDOW_SECONDS
        raw = getattr(request, "_request", request)
        raw.lyceum_ratelimit = (limit, max(0, limit - count), reset)
        self._wait = max(1.0, reset - now)
        return count <= limit

    def wait(self) -> float:
        return self._wait


class CredentialRateThrottle(FixedWindowThrottle):
    """One budget per API key or user; anonymous callers share one per address."""

    def bucket(self, request, view) -> tuple[str, int]:
        limits = settings.LYCEUM_RATE_LIMITS
        credential = request.auth
        if isinstance(credential, Credential):
            return f"credential:{credential.identity}", limits["credential"]
        return f"anonymous:{self.get_ident(request)}", limits["anonymous"]


class AuthRateThrottle(FixedWindowThrottle):
    """60 per minute per account on the token endpoints (by e-mail, else by address).

    Views name the account with a ``throttle_account(request)`` method.
    """

    def bucket(self, request, view) -> tuple[str, int]:
        account = getattr(view, "throttle_account", None)
        name = account(request) if account else None
        # The account name is raw client input: hash it so the cache key stays short.
        digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32] if name else ""
        ident = f"account:{digest}" if name else f"ip:{self.get_ident(request)}"
        return f"auth:{ident}", settings.LYCEUM_RATE_LIMITS["auth"]
