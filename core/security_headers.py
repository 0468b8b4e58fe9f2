"""Response headers that keep personal data out of caches and scripts out of the back office.

- Every API response (``/api/…``, JSON and downloads) is ``Cache-Control: no-store`` (with
  ``Pragma: no-cache`` for old proxies): customer data must not stay in a browser's or a
  proxy's cache. A view that sets its own ``Cache-Control`` keeps it.
- Every HTML page (the admin, Swagger UI at ``/api/docs/``) carries the Content Security
  Policy of ``settings.CONTENT_SECURITY_POLICY``: scripts only from this site (Swagger UI's
  assets are served locally by drf-spectacular-sidecar and its start-up script is a separate
  file, ``DocsView`` being the "split" view), no frames of the pages, no plugins.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if response.get("Content-Type", "").startswith("text/html") and not response.has_header(
            "Content-Security-Policy"
        ):
            response["Content-Security-Policy"] = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        return response
