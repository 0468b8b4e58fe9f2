"""The admin overview is computed ahead and stored: a staff request shows the stored copy and
never runs the overview's SQL while one exists (issue 18 item 5)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from core.cache import invalidate
from customers.testing.factories import CustomerFactory
from reports import overview as ov
from reports.admin import computed_ago
from reports.tasks import refresh_overview

pytestmark = pytest.mark.django_db

# the tables only the overview reads on the index page
OVERVIEW_TABLES = (
    "customers_customer",
    "customers_servicesession",
    "customers_packagepurchase",
    "commerce_order",
    "commerce_orderitem",
)


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


def active_card(html: str) -> int:
    match = re.search(r'활성 센터 고객</div><div class="value">([\d,]+)명', html)
    assert match, "the active customers card is missing"
    return int(match.group(1).replace(",", ""))


def overview_sql(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in OVERVIEW_TABLES)]


def stored() -> dict:
    return cache.get(ov._store_key())


def age_stored_copy(seconds: int) -> None:
    copy = stored()
    copy["computed_at"] -= dt.timedelta(seconds=seconds)
    cache.set(ov._store_key(), copy, ov.STORE_SECONDS)


@pytest.fixture
def jobs_on_a_broker():
    """A real (in-memory) broker instead of the inline job engine: ``delay`` only queues."""
    from config.celery import app as celery_app

    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_beat_refreshes_the_overview_every_five_minutes(settings):
    from config.celery import app as celery_app

    assert settings.CELERY_BEAT_SCHEDULE["reports-refresh-overview"] == {
        "task": "reports.refresh_overview",
        "schedule": 300.0,
    }
    assert "reports.refresh_overview" in celery_app.tasks


def test_refresh_stores_the_new_figures():
    CustomerFactory.create_batch(3)
    before = timezone.now()
    refresh_overview.delay()
    first = stored()
    assert first["overview"]["figures"]["active_customers"] == 3
    assert first["today"] == timezone.localdate()
    assert first["computed_at"] >= before
    assert first["versions"] == {"shop": 0, "catalog": 0}
    CustomerFactory.create_batch(2)
    invalidate("shop")
    refresh_overview.delay()
    second = stored()
    assert second["overview"]["figures"]["active_customers"] == 5
    assert second["computed_at"] > first["computed_at"]
    assert second["versions"] == {"shop": 1, "catalog": 0}


def test_a_request_makes_no_overview_sql_when_a_copy_is_stored(staff):
    CustomerFactory.create_batch(4)
    ov.overview_refresh()
    with CaptureQueriesContext(connection) as queries:
        html = staff.get(reverse("admin:index")).content.decode()
    assert overview_sql(queries.captured_queries) == []
    assert active_card(html) == 4
    assert "방금 전 기준" in html
    # the copy was fresh: nothing was enqueued
    assert cache.get(ov.QUEUED_KEY) is None


def test_without_a_stored_copy_the_first_request_computes_and_stores_it(staff):
    CustomerFactory.create_batch(2)
    assert stored() is None
    with CaptureQueriesContext(connection) as queries:
        html = staff.get(reverse("admin:index")).content.decode()
    assert overview_sql(queries.captured_queries) != []
    assert active_card(html) == 2
    assert stored()["overview"]["figures"]["active_customers"] == 2
    # the listed customers are audited as before: cache_hit says whether the copy was stored
    assert AuditLog.objects.filter(query__view="admin-overview").count() == 0  # nobody expiring


def test_a_stale_copy_is_shown_and_one_refresh_is_queued(staff, jobs_on_a_broker):
    CustomerFactory.create_batch(3)
    ov.overview_refresh()
    old_computed_at = stored()["computed_at"]
    CustomerFactory.create_batch(2)
    invalidate("shop")  # a shop write since the copy was computed…
    age_stored_copy(120)  # …which is older than the minute between write-triggered refreshes
    with CaptureQueriesContext(connection) as queries:
        html = staff.get(reverse("admin:index")).content.decode()
    assert overview_sql(queries.captured_queries) == []
    assert active_card(html) == 3  # the stored figures, not the new ones
    assert "2분 전 기준" in html
    assert "새 집계를 요청했습니다" in html
    assert cache.get(ov.QUEUED_KEY) == 1
    # a second view finds the refresh already queued and queues nothing more
    _, freshness = ov.overview_get()
    assert freshness == {
        "computed_at": old_computed_at - dt.timedelta(seconds=120),
        "stale": True,
        "refreshing": False,
        "stored": True,
    }
    # the worker runs it: the queued mark is cleared and the new figures are stored
    refresh_overview()
    assert cache.get(ov.QUEUED_KEY) is None
    assert stored()["overview"]["figures"]["active_customers"] == 5


def test_a_shop_write_within_a_minute_of_the_refresh_keeps_the_copy(staff, jobs_on_a_broker):
    CustomerFactory.create_batch(1)
    ov.overview_refresh()
    invalidate("shop")
    _, freshness = ov.overview_get()
    assert (freshness["stale"], freshness["refreshing"]) == (False, False)
    assert cache.get(ov.QUEUED_KEY) is None


def test_yesterdays_copy_is_stale(jobs_on_a_broker):
    ov.overview_refresh(today=timezone.localdate() - dt.timedelta(days=1))
    _, freshness = ov.overview_get()
    assert (freshness["stale"], freshness["refreshing"]) == (True, True)


def test_embedded_default_refreshes_inline_when_the_copy_is_too_old(staff):
    # the test settings run jobs inline, as the embedded default (no broker, no beat) does
    CustomerFactory.create_batch(1)
    ov.overview_refresh()
    CustomerFactory.create_batch(1)
    age_stored_copy(7 * 60)  # past the five-minute interval and its minute of grace
    html = staff.get(reverse("admin:index")).content.decode()
    assert active_card(html) == 2
    assert "방금 전 기준" in html
    assert cache.get(ov.QUEUED_KEY) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "방금 전"), (59, "방금 전"), (60, "1분 전"), (3599, "59분 전"), (3600, "1시간 전"), (2 * 86400, "2일 전")],
)
def test_computed_ago(seconds, text):
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    assert computed_ago(now - dt.timedelta(seconds=seconds), now=now) == text


def test_the_stored_copy_holds_no_contacts_and_the_page_shows_them_as_they_are_now(backoffice_client_for):
    """Names and phones of the expiring list are read when the page is shown: a customer
    anonymised after the copy was stored is never listed under the old name (nor kept in Redis)."""
    from accounts.principal import system_principal
    from customers.services.customers import ANONYMISED_NAME, customer_delete
    from customers.testing.factories import PackageFactory, PackagePurchaseFactory

    today = timezone.localdate()
    member = CustomerFactory(name="박만료", phone="010-3141-5926")
    package = PackageFactory(name="펄스 5회", items={"pulse": 5})
    PackagePurchaseFactory(
        customer=member,
        package=package,
        purchase_date=today - dt.timedelta(days=20),
        expiry_date=today + dt.timedelta(days=3),
        used={"pulse": 1},
    )
    ov.overview_refresh()
    row = stored()["overview"]["expiring"]["rows"][0]
    assert row["customer_id"] == member.pk and "customer__name" not in row and "customer__phone" not in row
    admin = backoffice_client_for("ADMIN")

    html = admin.get(reverse("admin:index")).content.decode()
    assert "박만료" in html and "010-3141-5926" in html

    customer_delete(actor=system_principal("test"), customer=member)  # has a purchase: anonymised
    html = admin.get(reverse("admin:index")).content.decode()
    assert "박만료" not in html and "010-3141-5926" not in html
    assert ANONYMISED_NAME in html  # the stored copy was not refreshed: the row is still listed
    assert stored()["overview"]["expiring"]["count"] == 1
