"""``manage.py bench_etl --products 100000 --changes 1000 --searches 500 [--json FILE]``

Benchmarks the search sync on the configured database (use a database of your own: it
creates products): a full sync of ``--products`` products, an incremental run of
``--changes`` changes (updates, deactivations, deletions), and product search latency
(selector and the whole HTTP stack) on the result. Peak memory is the process's maximum RSS
(Kiwi alone is ~0.5 GB, loaded before the clock starts).
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from accounts.principal import Principal
from commerce.models import Category, Product
from commerce.services.products import product_deactivate, product_delete
from core.jobs import job_run
from demo.shop import BRANDS, CATALOG
from etl.analysis import analyse_batch
from etl.selectors import product_search, sync_run_status
from etl.services.sync import etl_sync_start

VARIANTS = ["", "국산", "유기농", "저염", "매운맛", "순한맛", "프리미엄", "실속", "대용량", "선물용", "무첨가", "HACCP"]
EXTRA_BRANDS = ["바른식품", "한가람", "우리밀", "청정원촌", "산들", "고향집", "명가", "다온", "해뜰", "참맛"]
QUERIES = [
    "김치찌개",
    "고추장",
    "김치",
    "라면",
    "홍삼",
    "된장",
    "떡볶이 밀키트",
    "참기름",
    "식혜",
    "만두",
    "유기농 된장",
    "약과",
]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "검색 색인 동기화/상품 검색 벤치마크 (전용 DB에서 실행)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--changes", type=int, default=1_000)
        parser.add_argument("--searches", type=int, default=500)
        parser.add_argument("--json", default="")
        parser.add_argument("--search-only", action="store_true", help="동기화는 건너뛰고 검색만 (색인이 있어야 함)")

    def _ensure_products(self, n: int) -> None:
        have = Product.objects.count()
        if have >= n:
            return
        categories = []
        for order, (name, name_en, *_rest) in enumerate(CATALOG):
            category, _ = Category.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})
            categories.append(category)
        rng = random.Random(42)
        brands = BRANDS + EXTRA_BRANDS
        start = Product.objects.order_by("-id").values_list("id", flat=True).first() or 0
        rows, bar = [], tqdm(total=n - have, desc="상품 생성", file=self.stderr)
        for i in range(start + 1, start + 1 + n - have):
            ci = rng.randrange(len(CATALOG))
            _c, _ce, _kw, nutrition, items = CATALOG[ci]
            base, base_en, price = items[rng.randrange(len(items))]
            variant = rng.choice(VARIANTS)
            name = " ".join(x for x in (rng.choice(brands), variant, base) if x)
            kcal, sodium, _carbs, _sugars, protein, _fat = nutrition
            rows.append(
                Product(
                    name=name,
                    name_en=f"{base_en} #{i}",
                    category=categories[ci],
                    sku=f"BENCH-{i:07d}",
                    price=Decimal(int(price * rng.uniform(0.7, 1.5)) // 100 * 100),
                    nutrition_facts={"calories_kcal": kcal, "sodium_mg": sodium, "protein_g": protein},
                    is_active=rng.random() > 0.02,
                )
            )
            if len(rows) == 5000:
                Product.objects.bulk_create(rows)
                bar.update(len(rows))
                rows = []
        if rows:
            Product.objects.bulk_create(rows)
            bar.update(len(rows))
        bar.close()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE commerce_product")

    def _sync(self, mode: str) -> dict:
        run = etl_sync_start(actor=None, entity="products", mode=mode, send=False)
        rss_before = _rss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        job_run(job_id=run.job_id)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        status = sync_run_status(job_id=run.code)
        assert status["status"] == "completed", status["error"]
        n = status["counts"]["extracted"]
        return {
            "job_id": run.code,
            "records": n,
            "counts": status["counts"],
            "seconds": round(seconds, 3),
            "rows_per_second": round(n / seconds, 1) if seconds else None,
            "cpu_seconds": round(cpu, 3),
            "rows_per_cpu_second": round(n / cpu, 1) if cpu else None,
            "peak_rss_mb": round(_rss_mb(), 1),
            "peak_rss_growth_mb": round(_rss_mb() - rss_before, 1),
            "documents": status["result"]["document_count"],
        }

    def _changes(self, n: int) -> None:
        actor = Principal(kind="service", name="bench", role="ADMIN")
        ids = list(Product.objects.filter(is_active=True).order_by("?").values_list("id", flat=True)[:n])
        deactivate, delete, update = ids[: n // 40], ids[n // 40 : n // 20], ids[n // 20 :]
        for product in Product.objects.filter(pk__in=update):
            product.price = product.price + 100
            product.save(update_fields=["price", "updated_at"])
        for product in Product.objects.filter(pk__in=deactivate):
            product_deactivate(actor=actor, product=product)
        for product in Product.objects.filter(pk__in=delete):
            product_delete(actor=actor, product=product)

    def _search(self, n: int) -> dict:
        from django.test import Client
        from rest_framework_simplejwt.tokens import AccessToken

        from accounts.models import User

        rng = random.Random(7)
        categories = list(Category.objects.values_list("id", flat=True))

        def params() -> dict:
            p: dict = {"q": rng.choice(QUERIES), "page": 1, "size": 20, "sort": "relevance"}
            roll = rng.random()
            if roll < 0.2:
                p["category_id"] = rng.choice(categories)
            elif roll < 0.35:
                p["min_price"], p["max_price"] = 3000.0, 20000.0
            if rng.random() < 0.2:
                p["sort"] = rng.choice(["price_asc", "price_desc", "rating", "newest"])
            if rng.random() < 0.1:
                p["page"] = 3
            return p

        product_search(params=params())  # warm the reader
        selector_ms = []
        totals = []
        cpu_started = time.process_time()
        for _ in range(n):
            p = params()
            t = time.perf_counter()
            found = product_search(params=p)
            selector_ms.append((time.perf_counter() - t) * 1000)
            totals.append(found["pagination"]["total"])
        selector_cpu_ms = (time.process_time() - cpu_started) * 1000 / n
        user, _ = User.objects.get_or_create(username="bench-etl-staff", defaults={"role": "STAFF"})
        client = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        http_ms = []
        for _ in range(n):
            p = {k: v for k, v in params().items() if v is not None}
            t = time.perf_counter()
            response = client.get("/api/v1/products/search", p)
            http_ms.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:200]
        return {
            "queries": n,
            "median_hits": statistics.median(totals),
            "selector_p50_ms": round(_pct(selector_ms, 50), 2),
            "selector_p95_ms": round(_pct(selector_ms, 95), 2),
            "selector_cpu_ms_per_query": round(selector_cpu_ms, 3),
            "http_p50_ms": round(_pct(http_ms, 50), 2),
            "http_p95_ms": round(_pct(http_ms, 95), 2),
        }

    def handle(self, *args: object, **options: object) -> None:
        settings.RATELIMIT_ENABLE = False
        self._ensure_products(int(options["products"]))
        analyse_batch(["김치 찌개 밀키트"])  # load Kiwi before the clock starts
        results: dict = {
            "database": connection.vendor,
            "products": Product.objects.count(),
            "active_products": Product.objects.filter(is_active=True).count(),
            "batch_size": settings.ETL_BATCH_SIZE,
            "at": timezone.now().isoformat(),
        }
        with open("/proc/loadavg") as f:
            results["loadavg_before"] = f.read().split()[:3]
        if not options["search_only"]:
            self.stdout.write("full sync …")
            results["full"] = self._sync("full")
            self.stdout.write(json.dumps(results["full"], ensure_ascii=False))
            self._changes(int(options["changes"]))
            time.sleep(settings.ETL_SAFETY_LAG_SECONDS + 0.2)
            self.stdout.write("incremental sync …")
            results["incremental"] = self._sync("incremental")
            self.stdout.write(json.dumps(results["incremental"], ensure_ascii=False))
        self.stdout.write("search …")
        results["search"] = self._search(int(options["searches"]))
        self.stdout.write(json.dumps(results["search"], ensure_ascii=False))
        with open("/proc/loadavg") as f:
            results["loadavg_after"] = f.read().split()[:3]
        if options["json"]:
            with open(str(options["json"]), "w") as f:
                json.dump(results, f, ensure_ascii=False, indent=2)
