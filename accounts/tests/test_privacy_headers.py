"""Issue 10 item 9: INSUFFICIENT_DATA answers are audited, PII responses are not cached,
the admin and Swagger UI carry a Content Security Policy."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditLog
from customers.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_insufficient_data_about_a_customer_is_audited(api_client_for):
    customer = CustomerFactory(total_visits=0)
    response = api_client_for("MANAGER").get(f"/api/v1/customers/segments/{customer.pk}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INSUFFICIENT_DATA"
    row = AuditLog.objects.get(action="view")
    assert row.customer_ids == [customer.pk]
    assert row.status_code == 400
    assert row.query["insufficient_data"] is True
    assert row.query["details"] == response.json()["error"]["details"]


def test_pii_responses_are_not_cached(api_client_for):
    customer = CustomerFactory()
    for path in (f"/api/v1/customers/{customer.pk}/detail", "/api/v1/customers/search?q=x", "/api/v1/customers"):
        response = api_client_for("STAFF").get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
    error = api_client_for("STAFF").get("/api/v1/customers/987654/detail")
    assert error["Cache-Control"] == "no-store"


def test_admin_pages_carry_a_content_security_policy(client):
    response = client.get("/admin/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_swagger_ui_runs_without_inline_scripts(client, make_user):
    user = make_user("STAFF", username="docs-staff", is_staff=True)
    client.force_login(user)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert not re.search(r"<script>(?!\s*</script>)", html)  # every script has a src
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert all(src.startswith("/") for src in scripts)  # served here (sidecar), not a CDN
    init = [src for src in scripts if "script" in src.split("?", 1)[-1]]
    assert init
    js = client.get(init[0].replace("&amp;", "&"))
    assert js.status_code == 200
    assert js["Content-Type"].startswith("application/javascript")
