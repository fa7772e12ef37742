"""The fixed-window counter: one shared count per bucket and window, expiring with it."""

import pytest
from django.core.cache import caches

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
