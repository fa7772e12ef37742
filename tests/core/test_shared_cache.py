"""Flags on the shared cache: set only when absent, visible to Django's cache API, and one
round trip on Redis."""

import pytest
from django.core.cache import cache

from apps.core.shared_cache import add_flag


def test_a_flag_is_set_once_until_it_is_deleted():
    # when
    first, second = add_flag("flag:test:once", 60), add_flag("flag:test:once", 60)

    # then: Django's cache reads and deletes the same entry
    assert (first, second) == (True, False)
    assert cache.get("flag:test:once") == 1
    cache.delete("flag:test:once")
    assert add_flag("flag:test:once", 60) is True


@pytest.mark.redis
def test_a_flag_on_redis_is_one_command_with_its_expiry(request):
    # given
    add_flag("flag:test:warm", 60)  # the kept client exists
    sent = request.getfixturevalue("redis_commands")

    # when
    assert add_flag("flag:test:ttl", 30) is True

    # then
    assert len(sent) == 1
    assert sent[0][0] == "SET"
    assert {"NX", "EX"} <= {str(part) for part in sent[0]}
    key = cache.make_and_validate_key("flag:test:ttl")
    assert 0 < cache._cache.get_client(write=True).ttl(key) <= 30
