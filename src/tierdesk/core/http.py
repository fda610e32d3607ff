"""The one way Tierdesk sends HTTP requests to other servers (webhooks now; integrations later).

It owns what every outbound request must have and nothing about what it carries: only http and
https, a connect timeout and a deadline for the whole exchange, no redirects followed, a capped
response body, and (unless the caller allows it) no address inside the network: loopback,
private, link-local, shared, reserved or multicast addresses are refused (server-side request
forgery, security catalogue B8). The check runs on the addresses the host name resolves to *now*,
and the connection goes to exactly those checked addresses, so a name that resolves to a public
address at the check and to 127.0.0.1 a moment later (DNS rebinding) never gets a connection."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 (RFC 6052): on a network with a NAT64 gateway, 64:ff9b::a00:1 reaches 10.0.0.1, so the
# embedded IPv4 address is what must be public. Python 3.11 calls the whole prefix global.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundError(Exception):
    """The request did not produce a response: refused target, DNS, connection, TLS, timeout."""


class UnsafeTarget(OutboundError):
    """The URL is refused before any connection: scheme, credentials, or a non-public address."""


@dataclass(frozen=True)
class Target:
    """A URL taken apart and resolved: where to connect and what to ask for."""

    scheme: str
    host: str  # the name (or literal address) as in the URL, for the Host header and TLS
    port: int
    request_target: str  # path and query, as sent in the request line
    # (family, socket address) pairs, in resolver order; the connection tries only these.
    addresses: tuple[tuple[int, Any], ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most the caller's max_response_bytes
    is_truncated: bool  # the server sent more than that; the rest was never read


def is_public_address(address: str) -> bool:
    """Whether a connection to `address` leaves the network for the public internet.

    IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address they carry."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is no part of it
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64_PREFIX:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Parse `url`, resolve its host and check every address it resolves to.

    Raises UnsafeTarget for a refused URL or address, OutboundError when the name does not resolve."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeTarget("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("a URL may not carry a user name or password")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeTarget("the host name is not valid") from None
    port = port or DEFAULT_PORTS[scheme]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"the host name {host!r} does not resolve ({exc})") from None
    addresses: list[tuple[int, Any]] = []
    for family, _type, _proto, _name, sockaddr in found:
        if family not in (socket.AF_INET, socket.AF_INET6) or (family, sockaddr) in addresses:
            continue
        if not allow_private and not is_public_address(str(sockaddr[0])):
            raise UnsafeTarget(f"{host} resolves to {sockaddr[0]}, an address inside the network")
        addresses.append((family, sockaddr))
    if not addresses:
        raise OutboundError(f"the host name {host!r} has no IPv4 or IPv6 address")
    path = parts.path or "/"
    request_target = f"{path}?{parts.query}" if parts.query else path
    return Target(scheme, host, port, request_target, tuple(addresses))


def _connect(target: Target, timeout: float) -> socket.socket:
    error: OSError | None = None
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise OutboundError(f"cannot connect to {target.host}:{target.port}: {error}")


class _Deadline:
    """Shuts the connection's socket down when the time is up, which wakes a read blocked on it.

    It holds the socket in use: wrapping for TLS replaces (and detaches) the plain one."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.sock = sock
        self.has_passed = False
        self._timer = threading.Timer(seconds, self._abort)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def _abort(self) -> None:
        self.has_passed = True
        with contextlib.suppress(OSError):  # closed meanwhile: nothing left to wake
            self.sock.shutdown(socket.SHUT_RDWR)


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    connect_timeout: float,
    read_timeout: float,
    max_response_bytes: int,
    allow_private: bool = False,
) -> Response:
    """POST `body` to `url` and return the status and the first `max_response_bytes` of the body.

    `connect_timeout` bounds the TCP connection and the TLS handshake; `read_timeout` bounds every
    single read and also the whole exchange after connecting (a server that sends one byte at a
    time cannot keep us). A redirect is returned as it is, never followed. Raises UnsafeTarget or
    OutboundError (see `resolve_target`) when there is no response."""
    target = resolve_target(url, allow_private=allow_private)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=read_timeout)
    deadline = _Deadline(_connect(target, connect_timeout), connect_timeout + read_timeout)
    try:
        with deadline:
            if target.scheme == "https":
                # Certificate and host name are checked against the URL's host, not the address.
                deadline.sock = ssl.create_default_context().wrap_socket(deadline.sock, server_hostname=target.host)
            deadline.sock.settimeout(read_timeout)
            connection.sock = deadline.sock  # connected to the checked address; http.client will not connect
            sent_headers = {**headers, "Host": target.host_header, "Connection": "close"}
            connection.request("POST", target.request_target, body=body, headers=sent_headers)
            response = connection.getresponse()
            data = response.read(max_response_bytes + 1)
    except (OSError, http.client.HTTPException) as exc:
        if deadline.has_passed:
            raise OutboundError(f"no complete response within {connect_timeout + read_timeout:g} s") from None
        raise OutboundError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
    finally:
        connection.close()
        deadline.sock.close()
    return Response(status=response.status, body=data[:max_response_bytes], is_truncated=len(data) > max_response_bytes)
