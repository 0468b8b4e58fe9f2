"""Time the back office's busiest pages on the configured database (run with DATABASE_URL set).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/admin_pages.py [username]

Logs in as ``username`` (default ``staff``, from ``create_demo_users``) with the Django test
client, requests each page a few times and prints the median time and the query count. The
overview is measured cold (cache cleared) and warm.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from customers.models import Customer, PackagePurchase  # noqa: E402

RUNS = 5


def measure(client: Client, label: str, url: str, *, clear_cache: bool = False) -> None:
    times, queries = [], 0
    for _ in range(RUNS):
        if clear_cache:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx)
    print(f"{label:<44} median {statistics.median(times) * 1000:7.0f} ms   {queries:3d} queries")


def main() -> None:
    username = sys.argv[1] if len(sys.argv) > 1 else "staff"
    client = Client()
    client.force_login(User.objects.get(username=username))
    customer = Customer.objects.order_by("-total_visits").first()
    phone = customer.phone
    purchase = PackagePurchase.objects.order_by("-id").first()
    print(f"{Customer.objects.count():,} customers, user {username}, {connection.vendor}")
    measure(client, "overview (admin index), cold", "/admin/", clear_cache=True)
    measure(client, "overview (admin index), cached", "/admin/")
    measure(client, "customer changelist", "/admin/customers/customer/")
    measure(client, "customer search by phone", f"/admin/customers/customer/?q={phone}")
    measure(client, "customer search by name", "/admin/customers/customer/?q=%EA%B9%80%EC%98%81")
    measure(
        client,
        "customer filter vip + 위험",
        "/admin/customers/customer/?membership_level__exact=vip&risk_level__exact=danger",
    )
    measure(client, f"customer change page (#{customer.pk})", f"/admin/customers/customer/{customer.pk}/change/")
    measure(client, "package purchases, expiring in 14 days", "/admin/customers/packagepurchase/?expiry=soon")
    measure(
        client,
        f"record-session page (#{purchase.customer_id})",
        f"/admin/customers/customer/{purchase.customer_id}/record-session/",
    )
    measure(client, "session changelist", "/admin/customers/servicesession/")
    measure(client, "order changelist", "/admin/commerce/order/")
    measure(client, "product changelist", "/admin/commerce/product/")


if __name__ == "__main__":
    main()
