"""The embedded default's cache: Django's local-memory cache that drops expired entries
before live ones.

Django's ``LocMemCache`` holds 300 entries and, when full, evicts the least recently used
third whether or not they expired. Rate-limit counters live in this cache, so a few hundred
requests from fresh addresses (or for made-up e-mail addresses) would evict the login
counter of an account under attack and reset its budget. Here a full cache first drops
every expired entry (counters outlive their window by seconds), so only more than
``MAX_ENTRIES`` live keys at once can push a live counter out. With ``REDIS_URL`` set, Redis
holds the counters instead.
"""

import time

from django.core.cache.backends.locmem import LocMemCache

# Room for this many live keys (about 300 bytes each: 30 MB when full) before a live one
# is evicted.
DEFAULT_MAX_ENTRIES = 100_000


class LocalMemoryCache(LocMemCache):
    """``LocMemCache`` whose culling removes expired entries first, live ones only if it must."""

    def __init__(self, name: str, params: dict) -> None:
        options = {"MAX_ENTRIES": DEFAULT_MAX_ENTRIES, **params.get("OPTIONS", {})}
        super().__init__(name, {**params, "OPTIONS": options})

    def _cull(self) -> None:
        # Called with the lock held, when the cache is full and a key is about to be set.
        now = time.time()
        expired = [
            key for key, expiry in self._expire_info.items() if expiry is not None and expiry <= now
        ]
        for key in expired:
            self._delete(key)
        if len(self._cache) >= self._max_entries:
            super()._cull()
