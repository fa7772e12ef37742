"""Fixtures of the core tests."""

import pytest
from redis.connection import Connection


@pytest.fixture
def redis_commands(monkeypatch) -> list[tuple]:
    """Every command sent to Redis from now on, as its arguments (``("SET", key, …)``)."""
    sent: list[tuple] = []
    original = Connection.send_command

    def record(self, *args, **kwargs):
        sent.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_command", record)
    return sent
