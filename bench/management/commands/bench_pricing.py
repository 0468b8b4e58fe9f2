"""Benchmark of the price optimiser (docs/pricing.md "Speed", docs/benchmarks.md).

Times, through the whole stack (auth, permission, envelope; the rate limit off):

- ``first``: the first request in the process, which loads the ``price_elasticity`` artifact
  from the database and unpickles it;
- ``stored``: ``POST /api/v1/ml/pricing/optimize`` for products with a stored estimate, each
  with a ``simulate`` curve of five prices (nothing is cached per request: every call reads the
  product, runs the optimiser and the 2,000-draw confidence);
- ``on_demand``: a product fitted on the spot (no stored estimate; the shop cache scope is
  invalidated before every call, so each call fits).
"""

from __future__ import annotations

import json
import statistics
import time
from unittest import mock

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from core.cache import invalidate
from ml.models import ModelArtifact
from ml.pricing.estimates import ARTIFACT_NAME, stored_estimates
from ml.registry import artifact_memo_clear

URL = "/api/v1/ml/pricing/optimize"


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "n": len(ordered)}


class Command(BaseCommand):
    help = "가격 최적화 API 벤치마크: 저장된 추정(첫 요청 포함)과 즉석 추정의 p50/p95."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", action="store_true", help="저장된 추정이 없으면 먼저 estimate_price_elasticity")
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--on-demand", type=int, default=10, help="즉석 추정 요청 수")
        parser.add_argument("--json", help="결과를 저장할 JSON 파일")

    def handle(self, *args: object, **opts: object) -> None:
        from accounts.models import User

        if not ModelArtifact.objects.filter(name=ARTIFACT_NAME, is_active=True).exists():
            if not opts["train"]:
                raise CommandError(
                    "저장된 가격 탄력성이 없습니다: --train 을 주거나 estimate_price_elasticity 를 먼저 실행하세요"
                )
            started = time.perf_counter()
            call_command("estimate_price_elasticity", stdout=self.stdout, stderr=self.stderr)
            self.stdout.write(f"estimate_price_elasticity: {time.perf_counter() - started:.1f}s")
        user, _ = User.objects.get_or_create(username="bench-pricing", defaults={"role": "MANAGER"})
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        with override_settings(RATELIMIT_ENABLE=False):
            results = self._bench(client, int(opts["requests"]), int(opts["on_demand"]))
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        if opts["json"]:
            with open(opts["json"], "w", encoding="utf-8") as fh:
                json.dump(results, fh, ensure_ascii=False, indent=2)

    def _post(self, client: APIClient, body: dict) -> float:
        started = time.perf_counter()
        response = client.post(URL, body, format="json")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise CommandError(f"{body}: {response.status_code} {response.content[:300]!r}")
        return elapsed

    def _bench(self, client: APIClient, n: int, n_on_demand: int) -> dict:
        row = ModelArtifact.objects.filter(name=ARTIFACT_NAME, is_active=True).order_by("-created_at", "-id").first()
        artifact_memo_clear()
        started = time.perf_counter()
        model, _ = stored_estimates()  # what the first request in a process pays: blob read + unpickle
        load = time.perf_counter() - started
        stored = model.get("estimates", {})
        ids = sorted(stored)
        if not ids:
            raise CommandError("저장된 추정이 있는 상품이 없습니다")

        def body(pid: int) -> dict:
            lo, hi = stored[pid]["price_min"], stored[pid]["price_max"]
            return {
                "product_id": pid,
                "simulate": [lo, (2 * lo + hi) / 3, (lo + hi) / 2, (lo + 2 * hi) / 3, hi],
                "constraints": {"min_price": round(lo * 0.95, 2), "max_price": round(hi * 1.05, 2)},
            }

        artifact_memo_clear()
        first = self._post(client, body(ids[0]))
        samples = [self._post(client, body(ids[i % len(ids)])) for i in range(n)]
        on_demand = []
        # Pretend nothing is stored: each call fits the product now (the category prior still comes
        # from the artifact), with the shop cache scope invalidated so nothing is reused.
        with mock.patch("ml.pricing.selectors.stored_estimate", lambda pid: (None, None)):
            for i in range(n_on_demand):
                invalidate("shop")
                on_demand.append(self._post(client, {"product_id": ids[(i * 7) % len(ids)]}))
        return {
            "artifact_kib": round(len(bytes(row.blob)) / 1024, 1) if row else None,
            "products_stored": len(stored),
            "artifact_load_ms": round(load * 1000, 1),
            "first_request_ms": round(first * 1000, 1),
            "stored": _percentiles(samples),
            "on_demand": _percentiles(on_demand) if on_demand else None,
        }
