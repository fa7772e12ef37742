"""Fixed-window rate limits on the shared cache, with ``X-RateLimit-*`` headers.

Counting uses ``cache.add`` + ``cache.incr`` which are atomic on Redis, so every web
process shares one budget per credential. The middleware copies the figures onto the
response; DRF's ``Throttled`` becomes a 429 with ``Retry-After``.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from apps.core.credentials import Credential

WINDOW_SECONDS = 60


class FixedWindowThrottle(BaseThrottle):
    """Allow a number of requests per minute per bucket; subclasses name the bucket."""

    def bucket(self, request, view) -> tuple[str, int]:
        """Return ``(bucket key, requests allowed per minute)`` for this request."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        name, limit = self.bucket(request, view)
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"throttle:{name}:{window}"
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
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
