"""Swagger UI with a token alone, in a real browser (issue 17): Playwright driving Debian's
Chromium against ``live_server``. A manager who is not an admin user opens ``/api/docs/``, sees
the sign-in part, gets a token from the login operation, presses **Authorize**, and Swagger UI
reloads the whole schema with it; after a page reload the token is remembered.

Skipped cleanly when Chromium or Playwright is absent (see customers/tests/test_browser_desk.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "Docs-Browser-1234!"
DETAIL = "[data-path='/api/v1/customers/{customer_id}/detail']"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api")


def test_swagger_ui_with_a_token_alone(live_server, make_user, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RATELIMIT_ENABLE = False
    make_user("MANAGER", username="docs-manager", password=PASSWORD)  # not an admin (is_staff) user
    base = live_server.url
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        page.set_default_timeout(60_000)  # a shared, loaded machine: be patient, not flaky
        page.set_default_navigation_timeout(90_000)

        # the page opens without a session and shows the sign-in part
        page.goto(f"{base}/api/docs/")
        page.wait_for_selector("text=로그인 전 화면입니다")
        assert page.locator(".opblock").count() == 6
        assert page.locator(DETAIL).count() == 0

        # a token, as the manager would get it (the login operation shown on the page)
        login = page.request.post(f"{base}/api/v1/auth/token", data={"username": "docs-manager", "password": PASSWORD})
        assert login.status == 200
        token = login.json()["data"]["access"]

        # Authorize → bearerAuth → the whole schema is loaded with the token
        page.click("button.authorize")
        scheme = page.locator(".auth-container", has_text="bearerAuth")
        scheme.locator("input").fill(token)
        scheme.locator("button.authorize").click()
        page.click("button.btn-done")
        page.wait_for_selector(DETAIL)
        assert page.locator(".opblock").count() > 30
        assert page.locator("text=로그인 전 화면입니다").count() == 0

        # remembered (persistAuthorization): a reload shows everything at once
        page.reload()
        page.wait_for_selector(DETAIL)
        browser.close()
