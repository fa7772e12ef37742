"""The SSRF-safe fetcher: what it refuses, and that it connects to the address it checked."""

import ipaddress
import socket
import threading
import time

import pytest

from apps.core import http
from tests.webhooks.receiver import Receiver, Reply, always, foreign_service


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "169.254.1.1",
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::7f00:1",
        "fd00:ec2::254",
        "100.100.100.200",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused(address):
    # when
    reason = http.forbidden_reason(ipaddress.ip_address(address))

    # then
    assert reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    # when
    reason = http.forbidden_reason(ipaddress.ip_address(address))

    # then
    assert reason is None


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("::ffff:192.168.0.1", True),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_allow_private_lets_only_loopback_and_private_through(address, allowed):
    # when
    reason = http.forbidden_reason(ipaddress.ip_address(address), allow_private=True)

    # then
    assert (reason is None) is allowed


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("file:///etc/passwd", "https"),
        ("gopher://example.com/", "https"),
        ("http://example.com/", "http is disabled"),
        ("https://user:pw@example.com/", "credentials"),
        ("https:///path", "no host"),
        ("https://example.com/" + "a" * 2048, "2048"),
        ("https://exa mple.com/", "spaces"),
        ("https://example.com:99999/", "malformed"),
    ],
)
def test_malformed_or_forbidden_urls_are_refused_before_resolving(url, text):
    # when
    with pytest.raises(http.UnsafeURL) as caught:
        http.check_url_syntax(url)

    # then
    assert text in caught.value.reason


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"])
def test_numeric_spellings_of_loopback_are_refused(host):
    # when
    with pytest.raises(http.UnsafeURL) as caught:
        http.check_url(f"https://{host}/")

    # then
    assert "loopback" in caught.value.reason


def test_unresolvable_host_is_refused():
    # when
    with pytest.raises(http.UnsafeURL) as caught:
        http.check_url("https://nothing-here.invalid/")

    # then
    assert "does not resolve" in caught.value.reason
    assert caught.value.kind == http.FailureKind.DNS


def test_request_goes_to_the_checked_address_with_the_host_header(monkeypatch):
    # given
    calls = []

    def resolve(host, port):
        calls.append(host)
        # A rebinding resolver would answer differently the second time.
        return [ipaddress.ip_address("127.0.0.1" if len(calls) == 1 else "10.9.9.9")]

    monkeypatch.setattr(http, "resolve", resolve)
    with Receiver(always(204)) as receiver:
        # when
        result = http.safe_request(
            "POST",
            f"http://hooks.example.test:{receiver.port}/in?x=1",
            body=b"{}",
            allow_http=True,
            allow_private=True,
        )

    # then
    assert result.status == 204
    assert result.address == "127.0.0.1"
    assert calls == ["hooks.example.test"]
    assert receiver.received[0].headers["host"] == f"hooks.example.test:{receiver.port}"
    assert receiver.received[0].path == "/in?x=1"


def test_redirects_are_returned_not_followed():
    # given
    reply = Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    with Receiver(lambda n, b, h: reply) as receiver:
        # when
        result = http.safe_request("GET", receiver.url(), allow_http=True, allow_private=True)

    # then
    assert result.status == 302
    assert receiver.count == 1


def test_only_the_first_bytes_are_kept():
    # given
    with Receiver(always(200, body=b"y" * 10_000)) as receiver:
        # when
        result = http.safe_request(
            "GET", receiver.url(), allow_http=True, allow_private=True, keep_bytes=100
        )

    # then
    assert result.body == b"y" * 100
    assert result.body_size == 10_000
    assert result.truncated


def test_body_over_the_limit_fails():
    # given
    with Receiver(always(200, body=b"z" * (10 * 1024 * 1024))) as receiver:
        # when
        with pytest.raises(http.FetchError) as caught:
            http.safe_request(
                "GET", receiver.url(), allow_http=True, allow_private=True, max_bytes=1024
            )

    # then
    assert caught.value.kind == http.FailureKind.TOO_LARGE
    assert "limit" in caught.value.reason
    assert caught.value.status == 200


def test_a_receiver_that_never_answers_times_out():
    # given
    with Receiver(always(200, delay=3)) as receiver:
        # when
        with pytest.raises(http.FetchError) as caught:
            http.safe_request(
                "GET", receiver.url(), allow_http=True, allow_private=True, timeout=0.5
            )

    # then
    assert caught.value.reason == "timed out"
    assert caught.value.elapsed_ms < 2500


def test_a_closed_port_is_a_connection_failure():
    # given
    with Receiver() as receiver:
        port = receiver.port

    # when
    with pytest.raises(http.FetchError) as caught:
        http.safe_request(
            "GET", f"http://127.0.0.1:{port}/", allow_http=True, allow_private=True, timeout=1
        )

    # then
    assert caught.value.kind == http.FailureKind.REFUSED
    assert caught.value.reason == "connection refused"


BANNER = b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"


@pytest.mark.parametrize(
    ("scheme", "kind"),
    [("http", http.FailureKind.PROTOCOL), ("https", http.FailureKind.TLS)],
)
def test_a_service_that_is_not_http_is_reported_by_category_only(scheme, kind):
    # given a port where another service (an SSH server) answers first
    port = foreign_service(BANNER)

    # when
    with pytest.raises(http.FetchError) as caught:
        http.safe_request(
            "POST", f"{scheme}://127.0.0.1:{port}/", allow_http=True, allow_private=True
        )

    # then the category and Lyceum's own words, never what the service said
    assert caught.value.kind == kind
    assert caught.value.reason == http.FAILURE_REASONS[kind]
    assert "OpenSSH" not in str(caught.value)
    assert "OpenSSH" in caught.value.detail or kind == http.FailureKind.TLS  # for server logs


def test_a_receiver_dripping_its_answer_is_cut_at_the_deadline():
    # given
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 40:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()

    # when
    started = time.monotonic()
    with pytest.raises(http.FetchError) as caught:
        http.safe_request(
            "GET", f"http://127.0.0.1:{port}/", allow_http=True, allow_private=True, timeout=1
        )
    elapsed = time.monotonic() - started
    server.close()

    # then
    assert caught.value.reason == "timed out"
    assert elapsed < 2.5


def test_non_ascii_paths_are_refused_and_idn_hosts_are_encoded(monkeypatch):
    # given
    seen = []
    monkeypatch.setattr(
        http, "resolve", lambda host, port: seen.append(host) or [ipaddress.ip_address("8.8.8.8")]
    )

    # when
    with pytest.raises(http.UnsafeURL) as caught:
        http.check_url_syntax("https://example.com/caf\u00e9")
    target = http.check_url("https://b\u00fccher.example/")

    # then
    assert "percent-encode" in caught.value.reason
    assert target.host == "xn--bcher-kva.example"
    assert seen == ["xn--bcher-kva.example"]
