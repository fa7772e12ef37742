"""The client's address: the socket peer unless a trusted proxy forwarded the request."""

import ipaddress
import logging

import pytest
from django.test import RequestFactory

from apps.core.client_address import client_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def request_from(peer: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/api/v1/ping", REMOTE_ADDR=peer, **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    # given
    settings.TRUSTED_PROXIES = ()

    # when
    address = client_address(request_from("203.0.113.9", "198.51.100.1"))

    # then
    assert address == "203.0.113.9"


def test_a_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client(behind_proxy):
    assert client_address(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_a_value_the_client_prepended_is_ignored(behind_proxy):
    # given: the client sent "X-Forwarded-For: 1.2.3.4" and the proxy appended its peer
    request = request_from(PROXY, "1.2.3.4, 198.51.100.1")

    # then
    assert client_address(request) == "198.51.100.1"


def test_chained_trusted_proxies_are_skipped_from_the_right(behind_proxy):
    assert client_address(request_from(PROXY, "6.6.6.6, 198.51.100.1, 10.0.0.7")) == (
        "198.51.100.1"
    )


def test_garbage_where_the_proxy_should_have_written_stops_at_the_proxy(behind_proxy):
    assert client_address(request_from(PROXY, "not-an-address")) == PROXY


def test_only_trusted_hops_give_the_leftmost(behind_proxy):
    assert client_address(request_from(PROXY, "10.0.0.8, 10.0.0.7")) == "10.0.0.8"


def test_an_ipv4_client_over_an_ipv6_socket_is_its_ipv4_address(settings):
    settings.TRUSTED_PROXIES = ()

    assert client_address(request_from("::ffff:203.0.113.9")) == "203.0.113.9"


def anonymous_post(client, peer: str, forwarded: str):
    """A token request naming no account: rate limited by the client's address."""
    return client.post(
        "/api/v1/auth/token",
        {"password": "x"},
        content_type="application/json",
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_spoofed_forwarded_headers_do_not_reset_the_limit_by_address(client, settings):
    # given: three requests a minute per address, no proxy trusted
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth_address": 3}
    settings.TRUSTED_PROXIES = ()

    # when: every request invents a new X-Forwarded-For
    responses = [anonymous_post(client, "203.0.113.9", f"10.9.9.{n}") for n in range(4)]

    # then
    assert [r.status_code == 429 for r in responses] == [False, False, False, True]


def test_clients_behind_a_trusted_proxy_get_a_budget_each(client, settings, behind_proxy):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth_address": 1}

    # when
    first = anonymous_post(client, PROXY, "198.51.100.1")
    second = anonymous_post(client, PROXY, "198.51.100.2")
    spoofed = anonymous_post(client, PROXY, "198.51.100.3, 198.51.100.1")

    # then
    assert [r.status_code == 429 for r in (first, second, spoofed)] == [False, False, True]


def test_the_request_log_names_the_same_client_address(client, caplog, behind_proxy):
    # given
    caplog.set_level(logging.INFO, logger="lyceum.request")

    # when
    client.get("/api/v1/ping", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")

    # then
    [line] = [r.getMessage() for r in caplog.records if r.name == "lyceum.request"]
    assert " client=198.51.100.1 " in line


def test_a_trusted_proxy_entry_that_is_no_address_stops_the_start(monkeypatch):
    # given
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import env_networks

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")

    # when / then
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES: 'proxy.internal' is not"):
        env_networks("TRUSTED_PROXIES")
