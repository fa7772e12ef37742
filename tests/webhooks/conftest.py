"""Fixtures of the webhooks tests: loopback receivers allowed, tasks eager, a fake resolver."""

import ipaddress

import pytest

from apps.core import http
from apps.webhooks.services.endpoints import webhook_create
from tests.webhooks.receiver import Receiver, always

PUBLIC_IP = ipaddress.ip_address("93.184.216.34")


@pytest.fixture(autouse=True)
def _local_targets(settings):
    """Tests deliver to receivers on 127.0.0.1 over http (both off in production)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2


@pytest.fixture
def fake_dns(monkeypatch):
    """Resolve names through a dict (``fake_dns["hooks.example.com"] = [ip, ...]``)."""
    table: dict[str, list] = {}
    real = http.resolve

    def resolve(host: str, port: int):
        if host in table:
            return [ipaddress.ip_address(a) for a in table[host]]
        return real(host, port)

    monkeypatch.setattr(http, "resolve", resolve)
    return table


@pytest.fixture
def receiver():
    with Receiver(always(200)) as running:
        yield running


@pytest.fixture
def webhook(school, receiver):
    """An active all-events webhook of ``school`` pointing at ``receiver``."""
    return webhook_create(school=school, target_url=receiver.url())
