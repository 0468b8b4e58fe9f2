"""``manage.py bench_product_recs`` — product recommendation figures for docs/benchmarks.md:
training time and peak memory (``--train``), the artifact's size and memory in a worker, and
endpoint latency *cold* (every request a cache miss: each request asks for another buyer or
product, so no cached result exists; the cache itself is never cleared, it may be shared)
for buyers' recommendations and related products."""

from __future__ import annotations

import datetime as dt
import json
import resource
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max
from rest_framework.test import APIClient

from accounts.internal_tokens import internal_token_issue
from commerce.models import Order, OrderStatus, Product
from customers.models import Customer
from ml.models import ModelArtifact
from recommendations.shop.engine import RecParams
from recommendations.shop.services import product_recs_train
from recommendations.shop.store import MODEL_NAME, served_model


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _deep_nbytes(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes held by numpy arrays and sparse matrices reachable from ``obj``."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if hasattr(obj, "indptr") and hasattr(obj, "data"):
        return obj.data.nbytes + obj.indices.nbytes + obj.indptr.nbytes
    if isinstance(obj, dict):
        return sum(_deep_nbytes(v, seen) for v in obj.values())
    if isinstance(obj, list | tuple):
        return sum(_deep_nbytes(v, seen) for v in obj)
    if hasattr(obj, "__dict__"):
        return _deep_nbytes(vars(obj), seen)
    return 0


def _percentiles(ms: list[float]) -> dict:
    a = np.array(ms)
    return {
        "n": len(a),
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "max_ms": round(float(a.max()), 1),
    }


class Command(BaseCommand):
    help = "상품 추천 벤치마크: 학습 시간·메모리, 아티팩트 메모리, 캐시 없는(cold) 엔드포인트 p95."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", action="store_true", help="먼저 학습 (없으면 자동으로 학습)")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="학습 기준일 (기본: 마지막 주문일)")
        parser.add_argument("--requests", type=int, default=200, help="엔드포인트별 요청 수")
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--json", help="결과 JSON 경로")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.RATELIMIT_ENABLE = False  # 50/h would stop the run; the counter's cost is in bench_platform
        result: dict[str, Any] = {
            "orders": Order.objects.count(),
            "customers": Customer.objects.count(),
            "products": Product.objects.count(),
        }
        with open("/proc/loadavg") as f:
            result["loadavg_before"] = f.read().split()[:3]
        if options["train"] or not ModelArtifact.objects.filter(name=MODEL_NAME, is_active=True).exists():
            last = Order.objects.aggregate(m=Max("created_at"))["m"]
            as_of = options["as_of"] or (last.date() if last else dt.date.today())
            self.stdout.write(f"학습: 기준일 {as_of}, 주문 {result['orders']:,}건 …")
            rss0, started, cpu0 = _rss_mib(), time.perf_counter(), time.process_time()
            saved = product_recs_train(as_of=as_of, params=RecParams(threads=options["threads"]))
            result["train"] = {
                "as_of": as_of.isoformat(),
                "seconds": round(time.perf_counter() - started, 1),
                # CPU seconds of this process: on a busy machine wall time mostly measures the queue
                "cpu_seconds": round(time.process_time() - cpu0, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "rss_before_mib": round(rss0),
                "metrics": saved.metrics,
            }
            self.stdout.write(json.dumps(result["train"], ensure_ascii=False, default=str))
        # a worker's view: load the artifact, measure what it holds
        blob_bytes = (
            ModelArtifact.objects.filter(name=MODEL_NAME, is_active=True).order_by("-created_at", "-id").first().blob
        )
        rss0, started = _rss_mib(), time.perf_counter()
        loaded = served_model()
        result["artifact"] = {
            "version": loaded.version,
            "blob_mib": round(len(bytes(blob_bytes)) / 2**20, 2),
            "load_seconds": round(time.perf_counter() - started, 2),
            "arrays_mib": round(_deep_nbytes(loaded.model) / 2**20, 2),
            "rss_growth_mib": round(_rss_mib() - rss0, 1),
        }
        self.stdout.write(f"아티팩트: {json.dumps(result['artifact'])}")

        client = APIClient()
        client.credentials(HTTP_X_INTERNAL_TOKEN=internal_token_issue(service="bench", role="MANAGER", days=1))
        rng = np.random.default_rng(3)
        n = options["requests"]
        pool = np.array(
            Order.objects.exclude(status=OrderStatus.CANCELLED).values_list("buyer_id", flat=True).distinct()
        )
        buyers = [int(b) for b in rng.choice(pool, size=min(2 * n + 1, len(pool)), replace=False)]
        warm_buyer, buyers_h, buyers_c = buyers[0], buyers[1 : n + 1], buyers[n + 1 :]
        ids = loaded.model.product_ids
        products = [int(p) for p in rng.choice(ids, size=min(n, len(ids)), replace=False)]
        # warm the process (imports, connection, the artifact), not the cache of the measured paths
        client.get(f"/api/v1/recommendations/users/{warm_buyer}/products?limit=3")
        client.get(f"/api/v1/recommendations/products/{products[0]}/related?limit=3")
        for name, paths in (
            ("user_products_hybrid", [f"/api/v1/recommendations/users/{b}/products?limit=10" for b in buyers_h]),
            (
                "user_products_collaborative",
                [f"/api/v1/recommendations/users/{b}/products?limit=10&algorithm=collaborative" for b in buyers_c],
            ),
            ("related_products", [f"/api/v1/recommendations/products/{p}/related?limit=10" for p in products]),
        ):
            times = []
            for path in paths:
                t = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.content[:300]
            result[name] = _percentiles(times)
            self.stdout.write(f"{name}: {json.dumps(result[name])}")
        with open("/proc/loadavg") as f:
            result["loadavg_after"] = f.read().split()[:3]
        if options["json"]:
            with open(options["json"], "w") as f:
                json.dump(result, f, ensure_ascii=False, indent=2, default=str)
