"""The outbound HTTP client (core/http.py) against real sockets on 127.0.0.1: which addresses count
as public, the one resolution whose checked address is the one connected to, the Host header, the
deadline on the whole exchange (a server dripping bytes cannot hold a worker), TLS errors, and
the body cap. The resolver is replaced only to give test names addresses (no DNS here)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tierdesk.core import http

ORIGINAL_GETADDRINFO = socket.getaddrinfo


@pytest.mark.parametrize(
    ("address", "is_public"),
    [
        ("1.2.3.4", True),
        ("2a02:c0::1", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("10.0.0.1", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:1.2.3.4", True),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::102:304", True),
        ("2001:db8::1", False),
    ],
)
def test_which_addresses_are_public(address: str, is_public: bool) -> None:
    assert http.is_public_address(address) is is_public


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b"y" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[str]]], list[str]]:
    """Give test host names fixed addresses; returns the names looked up, in order."""
    looked_up: list[str] = []

    def install(names: dict[str, list[str]]) -> list[str]:
        def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
            looked_up.append(host)
            if host not in names:
                return ORIGINAL_GETADDRINFO(host, port, *args, **kwargs)
            return [info for address in names[host] for info in ORIGINAL_GETADDRINFO(address, port, *args, **kwargs)]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return looked_up

    return install


def post(url: str, **overrides: Any) -> http.Response:
    options: dict[str, Any] = {
        "body": b"{}",
        "headers": {"Content-Type": "application/json"},
        "connect_timeout": 2,
        "read_timeout": 2,
        "max_response_bytes": 100,
        "allow_private": True,
    }
    return http.post(url, **{**options, **overrides})


def test_the_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(
    server: int, resolver: Callable[[dict[str, list[str]]], list[str]]
) -> None:
    looked_up = resolver({"hooks.example.test": ["127.0.0.1"]})
    response = post(f"http://hooks.example.test:{server}/in?x=1")
    assert looked_up == ["hooks.example.test"]
    assert (response.status, response.body, response.is_truncated) == (200, b"y" * 100, True)
    (headers,) = _Recorder.seen
    assert headers["host"] == f"hooks.example.test:{server}"
    assert headers["connection"] == "close"


def test_a_name_with_any_address_inside_the_network_is_refused(
    resolver: Callable[[dict[str, list[str]]], list[str]],
) -> None:
    # a rebinding name may answer with a public and a private address at once
    resolver({"rebind.example.test": ["1.2.3.4", "127.0.0.1"]})
    with pytest.raises(http.UnsafeTarget, match=r"resolves to 127\.0\.0\.1"):
        post("http://rebind.example.test/", allow_private=False)


def test_a_name_that_does_not_resolve_is_an_outbound_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(http.OutboundError, match="does not resolve") as error:
        post("http://nowhere.example.test/")
    assert not isinstance(error.value, http.UnsafeTarget)


def test_the_host_header_of_an_ipv6_literal_is_bracketed() -> None:
    target = http.resolve_target("https://[::1]:8443/hook?a=b", allow_private=True)
    assert (target.host_header, target.request_target) == ("[::1]:8443", "/hook?a=b")
    assert http.resolve_target("https://[::1]/", allow_private=True).host_header == "[::1]"


def test_tls_to_a_server_that_does_not_speak_it_fails_cleanly(server: int) -> None:
    with pytest.raises(http.OutboundError, match="SSL"):
        post(f"https://127.0.0.1:{server}/")


@pytest.fixture
def dripping_server() -> Iterator[int]:
    """Accepts one connection and sends a response one byte every 0.2 s: each read is quick, the
    whole answer never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        connection, _address = listener.accept()
        with connection:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 1000:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(dripping_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(http.OutboundError, match=r"no complete response within 1 s"):
        post(f"http://127.0.0.1:{dripping_server}/", connect_timeout=0.5, read_timeout=0.5)
    assert time.monotonic() - started < 2
