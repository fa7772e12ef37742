"""Atomic steps on the shared cache that hot paths take on every request: a counter (rate
limits) and a flag set only when absent (waking the event dispatcher).

Django builds a new redis-py client (and its table of response callbacks) on every call to
its Redis cache; that was a measurable share of a cheap request, so on Redis these keep one
client per backend and take one round trip each. Other backends (the embedded local-memory
cache) go through Django's cache API. Keys are made by the backend, so ``cache.get`` and
``cache.delete`` see the same entries.
"""

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis import Redis
from redis.commands.core import Script

# INCR, and the window's expiry when the key has none yet, as ONE atomic server-side step:
# concurrent requests each get their own count, and a key never outlives its window.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return count
"""


def _kept(backend: RedisCache, name: str, make):
    """``make(client)`` for ``backend``'s write client, made once per backend."""
    kept = backend.__dict__.get(name)
    if kept is None:
        kept = make(backend._cache.get_client(write=True))
        backend.__dict__[name] = kept
    return kept


def _redis_backend() -> RedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


def count_hit(key: str, ttl: int) -> int:
    """Add one hit to ``key`` (which expires ``ttl`` seconds after its first hit) and return
    the new count."""
    backend = _redis_backend()
    if backend is not None:
        counter: Script = _kept(
            backend, "_lyceum_counter", lambda client: client.register_script(_COUNT_SCRIPT)
        )
        return int(counter(keys=[backend.make_and_validate_key(key)], args=[ttl]))
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=ttl)
        return 1


def add_flag(key: str, timeout: int) -> bool:
    """Set ``key`` for ``timeout`` seconds unless it is set; True when this call set it
    (``cache.add`` of the value 1)."""
    backend = _redis_backend()
    if backend is not None:
        client: Redis = _kept(backend, "_lyceum_client", lambda client: client)
        # Django's Redis serializer stores integers as they are: cache.get reads this 1.
        return bool(client.set(backend.make_and_validate_key(key), 1, ex=timeout, nx=True))
    return cache.add(key, 1, timeout=timeout)
