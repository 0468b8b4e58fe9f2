"""SSRF: every way of pointing the fetcher at our own network is refused, before any connection.

The only traffic is to the local test server on 127.0.0.1, reached through the allow-list or a
resolver hook; refused cases assert that no socket was opened at all.
"""

from __future__ import annotations

import ipaddress

import pytest

from core.errors import ErrorCode
from imaging.acquire import fetch
from imaging.errors import FetchFailure, ImageSourceError, ImageTooLarge
from imaging.tests.images import endless, png_bytes

PRIVATE_URLS = [
    "http://127.0.0.1/a.jpg",
    "http://127.8.9.10/a.jpg",
    "http://localhost/a.jpg",
    "http://10.0.0.5/a.jpg",
    "http://172.16.3.4/a.jpg",
    "http://172.31.255.255/a.jpg",
    "http://192.168.1.1/a.jpg",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.64.0.1/a.jpg",  # carrier-grade NAT
    "http://0.0.0.0/a.jpg",
    "http://224.0.0.1/a.jpg",  # multicast
    "http://240.0.0.1/a.jpg",  # reserved
    "http://255.255.255.255/a.jpg",
    "http://198.18.0.1/a.jpg",  # benchmarking
    "http://[::1]/a.jpg",
    "http://[::]/a.jpg",
    "http://[::ffff:127.0.0.1]/a.jpg",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/a.jpg",  # IPv4-mapped metadata, hex spelling
    "http://[fe80::1]/a.jpg",  # link-local
    "http://[fc00::1]/a.jpg",  # unique local
    "http://[ff02::1]/a.jpg",  # multicast
    "http://[2002:7f00:1::]/a.jpg",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a00:1]/a.jpg",  # NAT64 around 10.0.0.1
    "http://2130706433/a.jpg",  # decimal 127.0.0.1
    "http://0x7f000001/a.jpg",  # hex
    "http://0x7f.0x0.0x0.0x1/a.jpg",
    "http://0177.0.0.1/a.jpg",  # octal
    "http://017700000001/a.jpg",
    "http://127.1/a.jpg",  # short form
    "http://10.1/a.jpg",
    "http://3232235777/a.jpg",  # 192.168.1.1
    "http://0xA9FEA9FE/a.jpg",  # 169.254.169.254
    "https://127.0.0.1:8443/a.jpg",
    "http://127.0.0.1./a.jpg",  # trailing dot
    "http://999999999999/a.jpg",  # numeric but out of range
]


@pytest.fixture
def no_sockets(monkeypatch):
    opened: list = []

    def refuse(ip: str, port: int, timeout: float):
        opened.append(ip)
        raise AssertionError(f"a socket was opened to {ip}")

    monkeypatch.setattr(fetch, "open_socket", refuse)
    return opened


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_and_odd_addresses_are_refused_without_connecting(url, no_sockets, settings):
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=url)
    err = exc.value
    assert err.code == ErrorCode.IMAGE_DOWNLOAD_FAILED
    assert err.status_code == 400
    assert err.details["reason"] in (FetchFailure.BLOCKED_ADDRESS, FetchFailure.DNS_FAILED)
    host = url.split("//", 1)[1].split("/", 1)[0]
    assert host.strip("[]") not in err.message and "127" not in err.message
    assert no_sockets == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0x7f.1", "127.0.0.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("example.com", None),
        ("1e100.net", None),
    ],
)
def test_numeric_host_forms_read_like_inet_aton(text, expected):
    got = fetch.parse_numeric_ipv4(text)
    assert (str(got) if got else None) == expected


def test_public_addresses_are_not_forbidden():
    for text in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d822::"):
        assert not fetch.is_forbidden_address(ipaddress.ip_address(text)), text


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/a.jpg", FetchFailure.BAD_SCHEME),
        ("file:///etc/passwd", FetchFailure.BAD_SCHEME),
        ("gopher://example.com/", FetchFailure.BAD_SCHEME),
        ("javascript:alert(1)", FetchFailure.BAD_SCHEME),
        ("http://user:pw@example.com/a.jpg", FetchFailure.BAD_URL),
        ("http:///a.jpg", FetchFailure.BAD_URL),
        ("http://exa mple.com/a.jpg", FetchFailure.BAD_URL),
        ("http://example.com:99999/a.jpg", FetchFailure.BAD_URL),
        ("http://example.com/a\r\nHost: evil", FetchFailure.BAD_URL),
    ],
)
def test_bad_schemes_and_urls(url, reason, no_sockets):
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=url)
    assert exc.value.details["reason"] == reason
    assert no_sockets == []


def test_a_name_with_any_private_answer_is_refused(monkeypatch, no_sockets):
    monkeypatch.setattr(fetch, "RESOLVER", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url="http://mixed.test/a.jpg")
    assert exc.value.details["reason"] == FetchFailure.BLOCKED_ADDRESS
    assert "10.0.0.7" not in exc.value.message
    assert no_sockets == []


def test_scoped_ipv6_answer_is_refused(monkeypatch, no_sockets):
    monkeypatch.setattr(fetch, "RESOLVER", lambda host, port: ["fe80::1%eth0"])
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url="http://scoped.test/a.jpg")
    assert exc.value.details["reason"] == FetchFailure.BLOCKED_ADDRESS


def test_dns_failure(monkeypatch):
    def fail(host, port):
        raise OSError("no such host")

    monkeypatch.setattr(fetch, "RESOLVER", fail)
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url="http://nowhere.test/a.jpg")
    assert exc.value.details["reason"] == FetchFailure.DNS_FAILED


def test_dns_rebinding_connects_to_the_checked_address_only(monkeypatch):
    """The name answers a public address at check time and a private one afterwards: the
    connection still goes to the checked address (the resolver is asked once)."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    calls: list = []

    def resolver(host, port):
        calls.append(host)
        return next(answers)

    opened: list = []

    def record(ip, port, timeout):
        opened.append(ip)
        raise OSError("test: no traffic leaves this machine")

    monkeypatch.setattr(fetch, "RESOLVER", resolver)
    monkeypatch.setattr(fetch, "open_socket", record)
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url="http://rebind.test/a.jpg")
    assert exc.value.details["reason"] == FetchFailure.CONNECT_FAILED
    assert calls == ["rebind.test"]
    assert opened == ["93.184.216.34"]


def test_pinned_address_is_used_with_the_name_in_host_header(image_server, monkeypatch, settings, studio_jpeg):
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = ["images.test"]
    answers = iter([["127.0.0.1"], ["10.255.255.1"], ["10.255.255.1"]])
    monkeypatch.setattr(fetch, "RESOLVER", lambda host, port: next(answers))
    image_server.add("/p.jpg", studio_jpeg)
    got = fetch.fetch_image(url=image_server.url("/p.jpg", host="images.test"))
    assert got.data == studio_jpeg and got.format == "JPEG"
    assert image_server.seen[-1]["host"] == f"images.test:{image_server.port}"


def test_allow_listed_local_server_serves_a_real_image(image_server, allow_local, studio_jpeg):
    image_server.add("/p.jpg", studio_jpeg)
    got = fetch.fetch_image(url=image_server.url("/p.jpg"))
    assert got.data == studio_jpeg
    assert got.content_type == "image/jpeg" and got.redirects == 0


def test_redirect_to_a_private_address_is_refused(image_server, monkeypatch, settings, studio_jpeg):
    # images.test is allowed to be private; the address it redirects to is not
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = ["images.test"]
    monkeypatch.setattr(fetch, "RESOLVER", lambda host, port: ["127.0.0.1"])
    image_server.add("/p.jpg", studio_jpeg)
    image_server.redirect("/go", image_server.url("/p.jpg"))  # → http://127.0.0.1:port/p.jpg
    image_server.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
    for path in ("/go", "/meta"):
        with pytest.raises(ImageSourceError) as exc:
            fetch.fetch_image(url=image_server.url(path, host="images.test"))
        assert exc.value.details["reason"] == FetchFailure.BLOCKED_ADDRESS
        assert "169.254" not in exc.value.message
    assert [s["path"] for s in image_server.seen] == ["/go", "/meta"]


def test_redirects_are_followed_at_most_three_times(image_server, allow_local, studio_jpeg):
    image_server.add("/p.jpg", studio_jpeg)
    for i in range(4):
        image_server.redirect(f"/r{i}", f"/r{i + 1}" if i < 3 else "/p.jpg", status=301 if i % 2 else 307)
    image_server.redirect("/r4", "/r0")
    got = fetch.fetch_image(url=image_server.url("/r1"))  # r1 → r2 → r3 → p.jpg
    assert got.redirects == 3
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=image_server.url("/r0"))  # four hops
    assert exc.value.details["reason"] == FetchFailure.TOO_MANY_REDIRECTS


def test_streamed_body_over_the_limit_is_413(image_server, allow_local):
    allow_local.IMAGING_MAX_DOWNLOAD_BYTES = 200_000
    image_server.add("/endless.jpg", endless())
    with pytest.raises(ImageTooLarge) as exc:
        fetch.fetch_image(url=image_server.url("/endless.jpg"))
    assert exc.value.status_code == 413 and exc.value.code == ErrorCode.PAYLOAD_TOO_LARGE


def test_declared_length_over_the_limit_is_413_before_reading(image_server, allow_local):
    allow_local.IMAGING_MAX_DOWNLOAD_BYTES = 1000
    image_server.add("/big.jpg", b"\xff\xd8\xff" + b"0" * 5000)
    with pytest.raises(ImageTooLarge):
        fetch.fetch_image(url=image_server.url("/big.jpg"))


def test_total_timeout(image_server, allow_local):
    allow_local.IMAGING_FETCH_TOTAL_TIMEOUT = 0.5
    allow_local.IMAGING_FETCH_CONNECT_TIMEOUT = 0.3
    image_server.add("/slow.jpg", endless(chunk=b"\xff" * 10, delay=0.2))
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=image_server.url("/slow.jpg"))
    assert exc.value.details["reason"] == FetchFailure.TIMEOUT


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("text/html", b"<html>", FetchFailure.UNSUPPORTED_FORMAT),
        ("image/gif", b"GIF89a....", FetchFailure.UNSUPPORTED_FORMAT),
        ("image/svg+xml", b"<svg/>", FetchFailure.UNSUPPORTED_FORMAT),
        (None, b"\xff\xd8\xff\xe0", FetchFailure.UNSUPPORTED_FORMAT),
        ("image/png", b"\xff\xd8\xff\xe0 jpeg bytes", FetchFailure.FORMAT_MISMATCH),
        ("image/jpeg", b"GIF89a not a jpeg", FetchFailure.UNSUPPORTED_FORMAT),
        ("image/jpeg", b"", FetchFailure.EMPTY),
    ],
)
def test_declared_and_real_format_must_agree(image_server, allow_local, content_type, body, reason):
    image_server.add("/x", body, content_type=content_type)
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=image_server.url("/x"))
    assert exc.value.details["reason"] == reason


def test_png_with_parameters_in_content_type(image_server, allow_local):
    from PIL import Image

    body = png_bytes(Image.new("RGB", (10, 10), "white"))
    image_server.add("/x.png", body, content_type="image/png; charset=binary")
    assert fetch.fetch_image(url=image_server.url("/x.png")).format == "PNG"


def test_http_error_status(image_server, allow_local):
    with pytest.raises(ImageSourceError) as exc:
        fetch.fetch_image(url=image_server.url("/missing.jpg"))
    assert exc.value.details == {"reason": FetchFailure.HTTP_STATUS, "status": 404}
