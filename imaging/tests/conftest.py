"""A local image server (the only network these tests touch is 127.0.0.1); image helpers are in
``images.py``."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imaging.synth.products import render_product
from imaging.tests.images import jpeg_bytes


@pytest.fixture(scope="session")
def studio_jpeg() -> bytes:
    return jpeg_bytes(render_product("studio_white", seed=0))


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, "host": self.headers.get("Host")})
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = route
        if callable(body):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                body(self.wfile)
            return
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ImageServer:
    def __init__(self) -> None:
        self.handler = type("Handler", (_Handler,), {"routes": {}, "seen": []})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(
        self,
        path: str,
        body: bytes | object,
        *,
        status: int = 200,
        content_type: str | None = "image/jpeg",
        **headers: str,
    ) -> None:
        h = dict(headers)
        if content_type:
            h["Content-Type"] = content_type
        self.handler.routes[path] = (status, h, body)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.handler.routes[path] = (status, {"Location": location}, b"")

    @property
    def seen(self) -> list:
        return self.handler.seen

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def image_server():
    server = ImageServer()
    yield server
    server.close()


@pytest.fixture
def allow_local(settings):
    """The allow-list lets 127.0.0.1 (the test server) through, as the brief's tests need."""
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return settings
