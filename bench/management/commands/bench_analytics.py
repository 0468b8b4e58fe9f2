"""Benchmark of the shop analytics on PostgreSQL (docs/analytics-api.md "Speed").

``--generate`` fills an EMPTY benchmark database with a synthetic shop, fast: customers and
products through the ORM, then orders, order lines and reviews with ``INSERT … SELECT
generate_series`` (seeded, so every run builds the same data) with triggers off, then one
rollup rebuild. Then it times, over ``--repeat`` runs each:

- the dashboard endpoint (full stack: auth, permission, throttle, envelope) for a month and a
  year, cold (the "shop" cache scope invalidated before every call) and cached;
- the very SQL statements the endpoint ran, replayed on a raw cursor (its "own SQL");
- the same dashboard computed from the orders without the rollups (what the rollups save);
- the forecast endpoint, cold, for the whole shop and for one category.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from tqdm import tqdm

from analytics.shop.selectors.dashboard import dashboard_stats
from analytics.shop.selectors.periods import DayRange, local_today
from core.cache import invalidate

CATEGORIES = ["김치/반찬", "장류", "라면/면류", "과자/스낵", "음료", "건강식품", "즉석식품", "양념/소스"]


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "n": len(ordered)}


def _time(fn: Callable[[], object], repeat: int, before: Callable[[], None] | None = None) -> dict:
    samples = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


class Command(BaseCommand):
    help = "샵 분석 API 벤치마크 (PostgreSQL). --generate 로 합성 데이터를 만듭니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--generate", action="store_true", help="빈 벤치마크 DB에 합성 데이터를 생성")
        parser.add_argument("--orders", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--products", type=int, default=300)
        parser.add_argument("--reviews", type=int, default=150_000)
        parser.add_argument("--days", type=int, default=3 * 365, help="데이터가 걸친 일수")
        parser.add_argument("--end-date", type=date.fromisoformat, help="데이터 마지막 날 (기본: 오늘)")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--json", help="결과를 저장할 JSON 파일")

    def handle(self, *args: object, **opts: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL에서 실행하세요 (DATABASE_URL)")
        end = opts["end_date"] or local_today()
        if opts["generate"]:
            self._generate(opts, end)
        # The analytics scope allows 100 requests/h per principal: a benchmark makes more.
        # The rate counter's own cost is measured by bench_platform.
        with override_settings(RATELIMIT_ENABLE=False):
            results = self._bench(end, int(opts["repeat"]))
        if opts["json"]:
            with open(opts["json"], "w", encoding="utf-8") as fh:
                json.dump(results, fh, ensure_ascii=False, indent=2)

    # --- data ---------------------------------------------------------------------------
    def _generate(self, opts: dict, end: date) -> None:
        from commerce.models import Category, Order, Product
        from customers.models import Customer

        if Order.objects.exists():
            raise CommandError("주문이 이미 있습니다. 빈 벤치마크 전용 DB에서만 --generate 하세요")
        n_customers, n_orders = int(opts["customers"]), int(opts["orders"])
        self.stdout.write(f"고객 {n_customers:,}명, 주문 {n_orders:,}건 생성 ({opts['days']}일, ~{end})")
        batch = 5000
        with tqdm(total=n_customers, file=self.stdout, desc="customers") as bar:
            for offset in range(0, n_customers, batch):
                size = min(batch, n_customers - offset)
                Customer.objects.bulk_create(Customer(name=f"벤치고객{offset + i}") for i in range(size))
                bar.update(size)
        cats = [Category.objects.get_or_create(name=name)[0] for name in CATEGORIES]
        Product.objects.bulk_create(
            Product(
                name=f"벤치 상품 {i}", category=cats[i % len(cats)], sku=f"BENCH-{i:05d}", price=1000 * (3 + i % 40)
            )
            for i in range(int(opts["products"]))
        )
        steps = [
            ("orders", self._orders_sql),
            ("order items", self._items_sql),
            ("order totals", self._totals_sql),
            ("reviews", self._reviews_sql),
        ]
        params = {
            "n": n_orders,
            "days": int(opts["days"]),
            "end": end + timedelta(days=1),
            "reviews": int(opts["reviews"]),
        }
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # triggers off for the bulk load
            cur.execute("SELECT setseed(0.42)")
            for label, sql in tqdm(steps, file=self.stdout, desc="bulk SQL"):
                started = time.perf_counter()
                cur.execute(sql(), params)
                self.stdout.write(f"  {label}: {time.perf_counter() - started:.1f}s")
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('commerce_order', 'id'), (SELECT max(id) FROM commerce_order))"
            )
        with connection.cursor() as cur:
            started = time.perf_counter()
            cur.execute("SELECT analytics_shop_rollup_rebuild()")
            self.stdout.write(f"  rollup rebuild: {time.perf_counter() - started:.1f}s")
            cur.execute("ANALYZE")

    @staticmethod
    def _orders_sql() -> str:
        # sqrt(random()) puts more orders in recent days (a growing shop); Saturdays and Sundays
        # get extra orders by moving a quarter of weekday orders to the next weekend day.
        return """
        WITH c AS (SELECT min(id) AS lo, count(*) AS n FROM customers_customer),
        raw AS (
          SELECT g, %(end)s::timestamp - make_interval(secs => (%(days)s * 86400.0) * (1 - sqrt(random()))) AS local_ts,
                 random() AS r_status, random() AS r_cur, random() AS r_buyer, random() AS r_weekend
          FROM generate_series(1, %(n)s) g
        ),
        shifted AS (
          SELECT raw.*, CASE WHEN extract(isodow FROM local_ts) <= 5 AND r_weekend < 0.25
                             THEN local_ts + make_interval(days => (6 - extract(isodow FROM local_ts))::int)
                             ELSE local_ts END AS moved
          FROM raw
        )
        INSERT INTO commerce_order (id, buyer_id, status, total, currency, created_at, updated_at, external_ref)
        SELECT s.g, c.lo + floor(s.r_buyer * c.n)::bigint,
               CASE WHEN s.r_status < 0.80 THEN 'DELIVERED' WHEN s.r_status < 0.86 THEN 'CANCELLED'
                    WHEN s.r_status < 0.90 THEN 'PENDING' WHEN s.r_status < 0.94 THEN 'CONFIRMED'
                    WHEN s.r_status < 0.97 THEN 'PREPARING' ELSE 'SHIPPED' END,
               0, CASE WHEN s.r_cur < 0.03 THEN 'USD' ELSE 'KRW' END,
               (CASE WHEN s.moved < %(end)s::timestamp THEN s.moved ELSE s.local_ts END) AT TIME ZONE 'Asia/Seoul',
               now(), NULL
        FROM shifted s, c
        """

    @staticmethod
    def _items_sql() -> str:
        return """
        WITH p AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(price ORDER BY id) AS prices FROM commerce_product),
        lines AS (
          SELECT o.id AS order_id, o.currency, 1 + floor(random() * array_length(p.ids, 1))::int AS k,
                 1 + floor(random() * 3)::int AS qty
          FROM commerce_order o CROSS JOIN p CROSS JOIN LATERAL generate_series(1, 1 + (o.id %% 3)::int) j
        )
        INSERT INTO commerce_orderitem (order_id, product_id, quantity, unit_price, subtotal)
        SELECT l.order_id, p.ids[l.k], l.qty,
               CASE WHEN l.currency = 'USD' THEN round(p.prices[l.k] / 1300, 2) ELSE p.prices[l.k] END,
               l.qty * CASE WHEN l.currency = 'USD' THEN round(p.prices[l.k] / 1300, 2) ELSE p.prices[l.k] END
        FROM lines l CROSS JOIN p
        """

    @staticmethod
    def _totals_sql() -> str:
        return """
        UPDATE commerce_order o SET total = s.total
        FROM (SELECT order_id, sum(subtotal) AS total FROM commerce_orderitem GROUP BY order_id) s
        WHERE s.order_id = o.id
        """

    @staticmethod
    def _reviews_sql() -> str:
        return """
        WITH c AS (SELECT min(id) AS lo, count(*) AS n FROM customers_customer),
             p AS (SELECT min(id) AS lo, count(*) AS n FROM commerce_product)
        INSERT INTO commerce_review (product_id, customer_id, order_id, rating, content, created_at)
        SELECT p.lo + floor(random() * p.n)::bigint, c.lo + floor(random() * c.n)::bigint, NULL,
               LEAST(5, 2 + floor(random() * 4)::int + (random() < 0.5)::int), '',
               (%(end)s::timestamp - make_interval(secs => (%(days)s * 86400.0) * (1 - sqrt(random())))) AT TIME ZONE 'Asia/Seoul'
        FROM generate_series(1, %(reviews)s) g, c, p
        """

    # --- timings ------------------------------------------------------------------------
    def _bench(self, end: date, repeat: int) -> dict:
        from rest_framework.test import APIClient

        from accounts.models import User
        from commerce.models import Category, Order

        user, _ = User.objects.get_or_create(username="bench-manager", defaults={"role": "MANAGER"})
        client = APIClient()
        client.force_authenticate(user)
        n_orders = Order.objects.count()
        self.stdout.write(f"주문 {n_orders:,}건, 기준일 {end}, 반복 {repeat}회")
        results: dict = {"orders": n_orders, "end_date": end.isoformat(), "repeat": repeat}

        def call(url: str, params: dict) -> None:
            response = client.get(url, params)
            if response.status_code != 200:
                raise CommandError(f"{url} → {response.status_code}: {response.content[:300]!r}")

        cold = lambda: invalidate("shop")  # noqa: E731 - the next call misses the cache
        url = "/api/v1/analytics/dashboard"
        for label, days in (("month", 30), ("year", 365)):
            r = DayRange(end - timedelta(days=days - 1), end)
            params = {"period": label, "start_date": r.start.isoformat(), "end_date": r.end.isoformat()}
            call(url, params)  # warm the process (imports, connection, plans)
            endpoint_cold = _time(lambda params=params, url=url: call(url, params), repeat, before=cold)
            endpoint_cached = _time(lambda params=params, url=url: call(url, params), repeat)
            with CaptureQueriesContext(connection) as captured:
                dashboard_stats(period=label, date_range=r, source="rollup")
            statements = [q["sql"] for q in captured.captured_queries]

            def replay(statements: list[str] = statements) -> None:
                with connection.cursor() as cur:
                    for sql in statements:
                        cur.execute(sql)
                        cur.fetchall()

            own_sql = _time(replay, repeat)
            from_orders = _time(
                lambda r=r, label=label: dashboard_stats(period=label, date_range=r, source="direct"),
                max(3, repeat // 10),
            )
            results[f"dashboard_{label}"] = {
                "endpoint_cold": endpoint_cold,
                "endpoint_cached": endpoint_cached,
                "own_sql_replayed": own_sql,
                "sql_statements": len(statements),
                "without_rollups_from_orders": from_orders,
                "endpoint_over_sql": round(endpoint_cold["p50_ms"] / own_sql["p50_ms"], 2)
                if own_sql["p50_ms"]
                else None,
            }
        category = Category.objects.order_by("id").first()
        url = "/api/v1/analytics/sales/forecast"
        for label, params in (
            ("forecast_shop_30d", {"days": 30, "as_of": end.isoformat()}),
            (
                "forecast_category_30d",
                {"days": 30, "as_of": end.isoformat(), "category_id": category.pk if category else None},
            ),
        ):
            params = {k: v for k, v in params.items() if v is not None}
            call(url, params)
            results[label] = {
                "endpoint_cold": _time(
                    lambda params=params, url=url: call(url, params), max(5, repeat // 2), before=cold
                ),
                "endpoint_cached": _time(lambda params=params, url=url: call(url, params), repeat),
            }
        self._print(results)
        return results

    def _print(self, results: dict) -> None:
        self.stdout.write("")
        self.stdout.write(f"{'측정':<44} {'p50 ms':>10} {'p95 ms':>10}")
        for key, value in results.items():
            if not isinstance(value, dict):
                continue
            for sub, stats in value.items():
                if isinstance(stats, dict):
                    self.stdout.write(f"{key + ' · ' + sub:<44} {stats['p50_ms']:>10} {stats['p95_ms']:>10}")
            if "endpoint_over_sql" in value:
                self.stdout.write(f"{key + ' · endpoint / own SQL (p50)':<44} {value['endpoint_over_sql']:>10}")
