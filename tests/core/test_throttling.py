"""The fixed-window counter: one shared count per bucket and window, expiring with it, that
a flood of other buckets cannot evict."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from freezegun import freeze_time

from apps.core.memory_cache import LocalMemoryCache
from apps.core.throttling import KEY_TTL, count_hit


def test_count_hit_counts_per_key():
    # when
    first = count_hit("throttle:test:a:1")
    second = count_hit("throttle:test:a:1")
    other = count_hit("throttle:test:b:1")

    # then
    assert (first, second, other) == (1, 2, 1)


@pytest.mark.redis
def test_count_hit_on_redis_sets_expiry_once_in_one_round_trip():
    # given
    backend = caches["default"]
    full_key = backend.make_and_validate_key("throttle:test:ttl:1")
    client = backend._cache.get_client(full_key, write=True)

    # when
    count_hit("throttle:test:ttl:1")
    client.expire(full_key, 5)
    count_hit("throttle:test:ttl:1")

    # then
    assert int(client.get(full_key)) == 2
    assert 0 < client.ttl(full_key) <= 5 < KEY_TTL


def test_concurrent_hits_each_get_their_own_count():
    # given: many requests of one credential arriving at once (threads, like a threaded server)
    threads, hits = 8, 25
    start = threading.Barrier(threads)

    def hammer(_: int) -> list[int]:
        start.wait()
        return [count_hit("throttle:test:race:1") for _ in range(hits)]

    # when
    with ThreadPoolExecutor(max_workers=threads) as pool:
        counts = [count for batch in pool.map(hammer, range(threads)) for count in batch]

    # then: no two requests saw the same count, so concurrency buys no extra budget
    assert sorted(counts) == list(range(1, threads * hits + 1))


@pytest.mark.redis
def test_count_hit_on_redis_is_one_command(request):
    # given: the counting script is loaded (the first call may load it)
    count_hit("throttle:test:commands:1")
    sent = request.getfixturevalue("redis_commands")

    # when
    count = count_hit("throttle:test:commands:1")

    # then: one round trip to Redis per request
    assert count == 2
    assert len(sent) == 1
    assert sent[0][0] == "EVALSHA"


def test_a_flood_of_other_buckets_does_not_evict_a_live_count():
    # given: an account under attack has used its minute's budget
    for _ in range(60):
        count_hit("throttle:auth:account:victim:1")

    # when: requests from a thousand fresh addresses each open a bucket
    for n in range(1000):
        count_hit(f"throttle:anonymous:198.51.{n // 256}.{n % 256}:1")

    # then: the attacked account's count is still there
    assert count_hit("throttle:auth:account:victim:1") == 61


def test_a_full_memory_cache_drops_expired_entries_before_live_ones():
    # given: a full cache whose least recently used entry is a live counter
    backend = LocalMemoryCache("test-culling", {"OPTIONS": {"MAX_ENTRIES": 50}})
    backend.clear()
    with freeze_time("2026-03-01T10:00:00Z"):
        backend.set("live", 7, timeout=3600)
        for n in range(49):
            backend.set(f"old:{n}", 1, timeout=10)

    # when: after the others expired, a new key needs room
    with freeze_time("2026-03-01T10:01:00Z"):
        backend.set("new", 1, timeout=60)

        # then
        assert backend.get("live") == 7
        assert backend.get("new") == 1
        assert backend.get("old:48") is None
