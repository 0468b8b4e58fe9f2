"""SSRF-safe download of an image URL on behalf of a caller.

The request is server-side, so it must not become a way into our network:

* only ``http``/``https``, no credentials in the URL;
* the host is parsed the way the C resolver would (``2130706433``, ``0x7f.1``, ``0177.0.0.1``
  and ``127.1`` are all 127.0.0.1) and resolved; when **any** address is loopback, private,
  link-local (cloud metadata 169.254.169.254), multicast, reserved, unspecified or otherwise
  not globally routable — also inside IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses —
  the URL is refused, unless the host is listed in ``IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS``;
* the connection goes to the address that was checked (pinned), with the name only in the
  ``Host`` header and the TLS SNI/certificate check, so DNS cannot change between check and use;
* every redirect (at most ``IMAGING_FETCH_MAX_REDIRECTS``) is checked the same way;
* a connect timeout and a total deadline; the body is streamed and refused past
  ``IMAGING_MAX_DOWNLOAD_BYTES`` (413);
* the declared ``Content-Type`` must be one of JPEG/PNG/WebP and agree with the file's magic bytes.

``RESOLVER`` and ``open_socket`` are module attributes so tests can simulate DNS answers and
observe which address a connection is made to.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from imaging.errors import FetchFailure, ImageSourceError, ImageTooLarge

from .formats import ALLOWED_CONTENT_TYPES, sniff_format

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_URL_LENGTH = 2048
CHUNK = 64 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


# (host, port) -> addresses. Tests replace it to simulate DNS answers (also ones that change).
RESOLVER: Callable[[str, int], list[str]] = _system_resolver


def open_socket(ip: str, port: int, timeout: float) -> socket.socket:
    """Connect to exactly ``ip`` (the address that passed the check)."""
    return socket.create_connection((ip, port), timeout=timeout)


@dataclass(frozen=True)
class FetchedImage:
    """The bytes of a downloaded image and what the server said they were."""

    data: bytes
    content_type: str
    format: str
    redirects: int


def _fail(reason: FetchFailure, **extra: object) -> ImageSourceError:
    return ImageSourceError(reason, source="url", extra=extra or None)


def parse_numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address ``inet_aton`` would read from ``host`` (``127.1``, ``0x7f000001``, ``017700000001``…).

    ``None`` when ``host`` is not a numeric form. Raises ``ValueError`` for a numeric form that
    is out of range (refused rather than guessed).
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts = parts[:-1]  # a trailing dot
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        p = part.lower()
        try:
            if p.startswith("0x"):
                values.append(int(p[2:] or "0", 16))
            elif len(p) > 1 and p.startswith("0"):
                values.append(int(p, 8))
            elif p.isdigit():
                values.append(int(p, 10))
            else:
                return None
        except ValueError:
            return None
    # the last part fills the remaining bytes
    head, last = values[:-1], values[-1]
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise ValueError("numeric address out of range")
    number = 0
    for v in head:
        number = number * 256 + v
    number = number * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    # IPv4-compatible (deprecated) ::a.b.c.d
    if int(ip) >> 32 == 0 and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip)))
    return found


def is_forbidden_address(ip: IPAddress) -> bool:
    """True when a server-side request must not go to ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        if any(is_forbidden_address(v4) for v4 in _embedded_ipv4(ip)):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _allowed_private_hosts() -> set[str]:
    return {h.lower().rstrip(".") for h in getattr(settings, "IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS", [])}


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as sent in Host / SNI
    port: int
    path: str
    address: str  # the pinned, checked address


def _target_for(url: str) -> _Target:
    if len(url) > MAX_URL_LENGTH or any(c in url for c in "\r\n\t\x00 "):
        raise _fail(FetchFailure.BAD_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _fail(FetchFailure.BAD_URL) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _fail(FetchFailure.BAD_SCHEME)
    if parts.username is not None or parts.password is not None:
        raise _fail(FetchFailure.BAD_URL)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _fail(FetchFailure.BAD_URL)
    port = port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    allowed_private = host in _allowed_private_hosts()

    # literal addresses never go to the resolver (and their odd spellings are normalised)
    literal: IPAddress | None = None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            literal = parse_numeric_ipv4(host)
        except ValueError as exc:
            raise _fail(FetchFailure.BLOCKED_ADDRESS) from exc
    if literal is not None:
        candidates = [str(literal)]
    else:
        try:
            host.encode("idna")
        except UnicodeError as exc:
            raise _fail(FetchFailure.BAD_URL) from exc
        try:
            candidates = RESOLVER(host, port)
        except (OSError, UnicodeError) as exc:
            raise _fail(FetchFailure.DNS_FAILED) from exc
        if not candidates:
            raise _fail(FetchFailure.DNS_FAILED)
    addresses: list[IPAddress] = []
    for text in candidates:
        if "%" in text:  # a scoped IPv6 answer (fe80::1%eth0) is link-local by definition
            raise _fail(FetchFailure.BLOCKED_ADDRESS)
        try:
            addresses.append(ipaddress.ip_address(text))
        except ValueError as exc:
            raise _fail(FetchFailure.DNS_FAILED) from exc
    if not allowed_private and any(is_forbidden_address(a) for a in addresses):
        raise _fail(FetchFailure.BLOCKED_ADDRESS)
    host_header = host.encode("idna").decode("ascii") if literal is None else host
    return _Target(scheme=scheme, host=host_header, port=port, path=path, address=str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = open_socket(self._address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = open_socket(self._address, self.port, self.timeout)
        # SNI and certificate verification against the name, not the pinned address
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _declared_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def fetch_image(*, url: str) -> FetchedImage:
    """Download ``url`` under the rules of this module; raise ``ImageSourceError``/``ImageTooLarge``."""
    limit = int(settings.IMAGING_MAX_DOWNLOAD_BYTES)
    connect_timeout = float(settings.IMAGING_FETCH_CONNECT_TIMEOUT)
    deadline = time.monotonic() + float(settings.IMAGING_FETCH_TOTAL_TIMEOUT)
    max_redirects = int(settings.IMAGING_FETCH_MAX_REDIRECTS)
    redirects = 0
    current = url
    while True:
        target = _target_for(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _fail(FetchFailure.TIMEOUT)
        conn_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        conn = conn_class(target.host, target.port, address=target.address, timeout=min(connect_timeout, remaining))
        try:
            try:
                conn.request(
                    "GET",
                    target.path,
                    headers={
                        "User-Agent": "wellness-imaging/1.0",
                        "Accept": ", ".join(sorted(ALLOWED_CONTENT_TYPES)),
                        "Accept-Encoding": "identity",
                    },
                )
                response = conn.getresponse()
            except TimeoutError as exc:
                raise _fail(FetchFailure.TIMEOUT) from exc
            except (OSError, http.client.HTTPException) as exc:
                raise _fail(FetchFailure.CONNECT_FAILED) from exc
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise _fail(FetchFailure.HTTP_STATUS, status=response.status)
                redirects += 1
                if redirects > max_redirects:
                    raise _fail(FetchFailure.TOO_MANY_REDIRECTS)
                current = urljoin(current, location.strip())
                continue
            if response.status != 200:
                raise _fail(FetchFailure.HTTP_STATUS, status=response.status)
            declared = _declared_type(response.getheader("Content-Type"))
            if declared not in ALLOWED_CONTENT_TYPES:
                raise _fail(FetchFailure.UNSUPPORTED_FORMAT)
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ImageTooLarge(limit=limit)
            data = _read_limited(response, conn, limit=limit, deadline=deadline)
        finally:
            conn.close()
        if not data:
            raise _fail(FetchFailure.EMPTY)
        real = sniff_format(data)
        if real is None:
            raise _fail(FetchFailure.UNSUPPORTED_FORMAT)
        if ALLOWED_CONTENT_TYPES[declared] != real:
            raise _fail(FetchFailure.FORMAT_MISMATCH)
        return FetchedImage(data=data, content_type=declared, format=real, redirects=redirects)


def _read_limited(
    response: http.client.HTTPResponse, conn: http.client.HTTPConnection, *, limit: int, deadline: float
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _fail(FetchFailure.TIMEOUT)
        if conn.sock is not None:
            conn.sock.settimeout(min(remaining, float(settings.IMAGING_FETCH_CONNECT_TIMEOUT)))
        try:
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        except TimeoutError as exc:
            raise _fail(FetchFailure.TIMEOUT) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _fail(FetchFailure.CONNECT_FAILED) from exc
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise ImageTooLarge(limit=limit)
        chunks.append(chunk)
