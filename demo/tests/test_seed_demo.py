"""seed_demo: the small preset's volumes, the invariants of its data, --if-empty, --seed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Min

from commerce.models import CartEvent, Order, OrderItem, PageView, Product, Review, SearchQuery, WishlistItem
from commerce.selectors.orders import orders_total_mismatch
from customers.catalog import SERVICES
from customers.models import (
    Customer,
    CustomerPreference,
    HealthMetric,
    PackageBalance,
    PackagePurchase,
    Service,
    ServiceSession,
)
from customers.selectors.stats import customer_stats_derived, customer_stats_stored
from customers.testing.factories import ServiceFactory
from demo.center import GOALS, INTERESTS, catalog_ensure
from recommendations.center.selectors import goal_keywords, goal_matches

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-30"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--as-of", AS_OF, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    return {
        "customers": list(
            Customer.objects.order_by("id").values_list(
                "name", "phone", "birth_year", "total_visits", "total_revenue", "membership_level", "created_at"
            )
        ),
        "sessions": list(
            ServiceSession.objects.order_by("id").values_list(
                "customer__phone", "service__code", "service_date", "start_time", "satisfaction_rating"
            )
        ),
        "orders": list(
            Order.objects.order_by("id").values_list("buyer__phone", "created_at", "total", "currency", "status")
        ),
        "reviews": list(Review.objects.order_by("id").values_list("product__sku", "rating", "content")),
    }


def wipe() -> None:
    for model in (CartEvent, PageView, SearchQuery, WishlistItem, Review, OrderItem, Order, ServiceSession):
        model.objects.all().delete()
    for model in (PackageBalance, PackagePurchase, HealthMetric, CustomerPreference, Customer):
        model.objects.all().delete()


def test_small_preset_volumes_and_invariants():
    output = seed("--size", "small")

    assert "완료" in output
    assert Customer.objects.count() == 300
    assert CustomerPreference.objects.count() == 300
    assert ServiceSession.objects.count() >= 3000
    assert Order.objects.count() == 4000
    span = Order.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert (span["last"] - span["first"]).days >= 700
    assert span["last"].date() <= dt.date(2026, 6, 30)
    assert ServiceSession.objects.aggregate(m=Max("service_date"))["m"] <= dt.date(2026, 6, 30)
    # every status of seed 000 and both currencies occur; most orders are delivered, in KRW
    by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")))
    assert by_status["DELIVERED"] > 0.8 * 4000 and by_status["CANCELLED"] > 0
    by_currency = dict(Order.objects.values_list("currency").annotate(n=Count("id")))
    assert by_currency["KRW"] > 0.9 * 4000 and by_currency.get("USD", 0) > 0
    assert Product.objects.values("category").distinct().count() == 8
    assert Review.objects.count() > 500 and WishlistItem.objects.count() > 0
    assert PageView.objects.count() > 4000 and SearchQuery.objects.count() > 1000
    carts = CartEvent.objects.filter(event="added").values("cart_id").distinct().count()
    checked_out = CartEvent.objects.filter(event="checked_out").count()
    assert checked_out == 4000 and 0.2 < 1 - checked_out / carts < 0.6  # some carts are abandoned
    assert HealthMetric.objects.values("metric").distinct().count() == 4

    # invariants: stats = derivation, balances = redeemed sessions, totals = sum of items
    ids = list(Customer.objects.values_list("id", flat=True))
    assert customer_stats_stored(customer_ids=ids) == customer_stats_derived(customer_ids=ids)
    assert not orders_total_mismatch().exists()
    redeemed = {
        (r["purchase_id"], r["service_id"]): r["n"]
        for r in ServiceSession.objects.filter(purchase__isnull=False)
        .values("purchase_id", "service_id")
        .annotate(n=Count("id"))
    }
    for purchase_id, service_id, used, total in PackageBalance.objects.values_list(
        "purchase_id", "service_id", "used", "total"
    ):
        assert used == redeemed.get((purchase_id, service_id), 0) <= total
    # sessions redeem only from the customer's own packages, within validity
    assert (
        not ServiceSession.objects.filter(purchase__isnull=False)
        .exclude(customer_id=F("purchase__customer_id"))
        .exists()
    )
    # the center recommender's goal fit works on the demo as in the tests: every customer's
    # stated goals or interests name a goal tag of at least one service
    services = list(Service.objects.all())
    for goals, interests in CustomerPreference.objects.values_list("customer__health_goals", "health_interests"):
        text = f"{goals} {' '.join(interests)}"
        assert any(goal_matches(service, text) for service in services), text


def test_if_empty_does_nothing_when_data_exists():
    seed("--customers", "20", "--orders", "50", "--staff", "2")
    before = (Customer.objects.count(), Order.objects.count(), ServiceSession.objects.count())

    output = seed("--customers", "20", "--orders", "50", "--if-empty")

    assert "건너뜁니다" in output
    assert (Customer.objects.count(), Order.objects.count(), ServiceSession.objects.count()) == before


def test_same_seed_same_data_other_seed_other_data():
    args = ("--customers", "40", "--orders", "200", "--staff", "3")
    seed(*args, "--seed", "7")
    first = fingerprint()
    wipe()
    seed(*args, "--seed", "7")
    assert fingerprint() == first
    wipe()
    seed(*args, "--seed", "8")
    assert fingerprint()["customers"] != first["customers"]


def test_fast_load_gives_the_same_data_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("--fast-load turns PostgreSQL triggers off")
    args = ("--customers", "30", "--orders", "150", "--staff", "2", "--seed", "3")
    seed(*args)
    normal = fingerprint()
    wipe()

    output = seed(*args, "--fast-load")

    assert "권한이 없어" not in output  # the test database user is a superuser here
    assert fingerprint() == normal
    # foreign keys were not checked during the load: check them now
    assert not OrderItem.objects.exclude(order__in=Order.objects.all()).exists()
    assert not ServiceSession.objects.exclude(customer__in=Customer.objects.all()).exists()


@pytest.mark.django_db
def test_seed_demo_refreshes_the_admin_overview():
    from django.core.cache import cache

    from customers.models import Customer as SeededCustomer
    from customers.selectors.kinds import center_customer_q, shop_only_q
    from reports import overview

    output = seed("--customers", "12", "--orders", "30")
    assert "관리자 첫 화면 통계를 새로 집계하도록 요청했습니다" in output
    stored = cache.get(overview._store_key())  # jobs run inline in the tests, as on the embedded default
    figures = stored["overview"]["figures"]
    assert (
        figures["active_customers"]
        == SeededCustomer.objects.filter(center_customer_q(), customer_status="active").count()
    )
    assert figures["shop_only_buyers"] == SeededCustomer.objects.filter(shop_only_q()).count()
    assert stored["versions"] == {"shop": 1, "catalog": 1}  # computed after the seed's invalidation


# --- one service catalogue (customers/catalog.py) for the demo and the factories -----------------
SERVICE_FIELDS = ("name", "duration_minutes", "price", "description", "expected_benefit", "goal_tags")


def test_demo_and_factories_create_the_same_services():
    factory = {spec.code: [getattr(ServiceFactory(code=spec.code), f) for f in SERVICE_FIELDS] for spec in SERVICES}
    services, _packages = catalog_ensure()  # updates the same five rows with the demo's values
    demo = {code: [getattr(s, f) for f in SERVICE_FIELDS] for code, s in services.items()}
    assert demo == factory
    assert Service.objects.count() == 5
    assert demo["brain"] == [
        "브레인 피드백",
        40,
        50000,
        "뇌파 측정 기반 뉴로피드백 훈련 (40분)",
        "스트레스 완화, 집중력 향상, 수면 개선",
        ["스트레스 관리", "집중력 향상", "수면 개선"],
    ]


def test_demo_goals_and_interests_use_the_catalogue_vocabulary():
    """Each goal a demo customer may state, and each interest, names a service's goal tag in the
    recommender's terms (``goal_keywords``), as the factories' goals do."""
    keywords = {word for spec in SERVICES for tag in spec.goal_tags for word in goal_keywords(tag)}
    for goal in GOALS:
        assert set(goal_keywords(goal)) & keywords, goal
    for code, interests in INTERESTS.items():
        assert interests == [tag.split()[0] for tag in next(s for s in SERVICES if s.code == code).goal_tags]
        assert all(word in keywords for word in interests), code
