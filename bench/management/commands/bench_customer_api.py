"""Benchmark of the customer API (seed 004) on PostgreSQL, through the full Django stack.

Every call goes through the test client with a real Bearer token: authentication, the route
policy, the envelope renderer, masking and the audit insert are all in the figures (rate
limiting is switched off for the run, or the benchmark would hit its own limits).

"cold" = the customer's cache scope is invalidated before the call (a different customer
each time, so the database's own caches are not a single hot row either); "cached" = the
same call repeated. The center-wide pieces (peer quantiles for percentiles, the item
similarity model) are built once before timing and reported separately: they are rebuilt at
most hourly / daily, not per request.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from tqdm import tqdm

from bench.subjects import active_customer_ids
from core.cache import invalidate
from customers.models import Customer, ServiceSession


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "n": len(ordered)}


class Command(BaseCommand):
    help = "고객 API 벤치마크 (PostgreSQL): 엔드포인트별 p50/p95, 캐시 미적용(cold)/적용(cached)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", action="store_true", help="고객이 없으면 seed_demo --size large 로 데이터 생성")
        parser.add_argument("--orders", type=int, default=20000, help="seed 시 주문 수 (샵 데이터는 이 벤치에 불필요)")
        parser.add_argument("--repeat", type=int, default=50, help="엔드포인트별 측정 횟수")
        parser.add_argument("--train", action="store_true", help="center_churn 모델이 없으면 학습")
        parser.add_argument("--json", help="결과를 저장할 JSON 파일")
        parser.add_argument("--random-seed", type=int, default=7)

    def handle(self, *args: object, **opts: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL에서 실행하세요 (DATABASE_URL)")
        if not Customer.objects.exists():
            if not opts["seed"]:
                raise CommandError("고객 데이터가 없습니다. --seed 를 붙이거나 seed_demo 를 먼저 실행하세요")
            started = time.perf_counter()
            call_command("seed_demo", size="large", orders=opts["orders"], fast_load=True, stdout=self.stdout)
            self.stdout.write(f"seed_demo: {time.perf_counter() - started:.0f}s")
        results: dict = {
            "customers": Customer.objects.count(),
            "sessions": ServiceSession.objects.count(),
            "setup": {},
            "endpoints": {},
        }
        self.stdout.write(f"데이터: 고객 {results['customers']:,}명, 세션 {results['sessions']:,}건")
        from ml.churn_center import MODEL_NAME
        from ml.registry import artifact_load_latest

        if artifact_load_latest(MODEL_NAME) is None and opts["train"]:
            started = time.perf_counter()
            call_command("train_center_churn", stdout=self.stdout)
            results["setup"]["train_center_churn_s"] = round(time.perf_counter() - started, 1)
        with override_settings(RATELIMIT_ENABLE=False):
            self._run(results, int(opts["repeat"]), random.Random(opts["random_seed"]))
        for name, row in results["endpoints"].items():
            self.stdout.write(f"{name:42} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   (n={row['n']})")
        if opts["json"]:
            with open(opts["json"], "w", encoding="utf-8") as fh:
                json.dump(results, fh, ensure_ascii=False, indent=2)

    def _client(self, role: str) -> APIClient:
        from accounts.models import User

        user, _ = User.objects.get_or_create(username=f"bench-{role.lower()}", defaults={"role": role})
        client = APIClient()
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=timedelta(hours=3))  # a run outlasts the 10-minute default
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    def _time(self, name: str, calls: list[Callable[[], object]], results: dict) -> None:
        samples = []
        for call in tqdm(calls, desc=name, file=self.stdout, leave=False):
            started = time.perf_counter()
            response = call()
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise CommandError(f"{name}: {response.status_code} {response.content[:300]!r}")
        results["endpoints"][name] = _stats(samples)

    def _run(self, results: dict, repeat: int, rng: random.Random) -> None:
        from analytics.center.peers import peer_distribution
        from recommendations.center.similarity import item_similarity

        admin, manager, staff = self._client("ADMIN"), self._client("MANAGER"), self._client("STAFF")
        # subjects on whom every endpoint answers 200 (bench/subjects.py), four batches of `repeat`
        ids = active_customer_ids(count=repeat * 4, rng=rng)
        if len(set(ids)) < repeat * 2:
            raise CommandError(f"최근 90일에 2일 이상 방문한 고객이 부족합니다 (필요 {repeat * 2}명)")
        started = time.perf_counter()
        peer_distribution()
        results["setup"]["peer_quantiles_build_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        item_similarity()
        results["setup"]["item_similarity_build_s"] = round(time.perf_counter() - started, 2)
        # warm the process (imports, the churn model's first load, connection pool)
        for client, path in (
            (manager, f"/api/v1/customers/{ids[0]}/analytics"),
            (admin, f"/api/v1/customers/{ids[0]}/detail"),
        ):
            client.get(path)

        def cold(client: APIClient, path: str, cid: int) -> Callable[[], object]:
            def call() -> object:
                invalidate(f"customer:{cid}")
                return client.get(path.format(id=cid))

            return call

        def warm(client: APIClient, path: str, cid: int) -> Callable[[], object]:
            client.get(path.format(id=cid))
            return lambda: client.get(path.format(id=cid))

        batches = [ids[i * repeat : (i + 1) * repeat] for i in range(4)]
        endpoints = {
            "detail (STAFF, masked)": (staff, "/api/v1/customers/{id}/detail"),
            "detail (ADMIN)": (admin, "/api/v1/customers/{id}/detail"),
            "analytics 90d (MANAGER)": (manager, "/api/v1/customers/{id}/analytics?period=90d"),
            "analytics 1y (ADMIN)": (admin, "/api/v1/customers/{id}/analytics?period=1y"),
            "segments (MANAGER)": (manager, "/api/v1/customers/segments/{id}"),
            "recommendations (MANAGER)": (manager, "/api/v1/customers/{id}/recommendations"),
            "recommendations type=service": (manager, "/api/v1/customers/{id}/recommendations?type=service&count=3"),
        }
        for i, (name, (client, path)) in enumerate(endpoints.items()):
            batch = batches[i % 4]
            self._time(f"{name} cold", [cold(client, path, cid) for cid in batch], results)
            self._time(f"{name} cached", [warm(client, path, cid) for cid in batch[: max(10, repeat // 2)]], results)

        names = list(Customer.objects.filter(pk__in=ids[:repeat]).values_list("name", "phone"))
        searches = {
            # STAFF sees masked values: whole values or the last four digits (search_terms.py)
            "search q=name (STAFF)": lambda k: {"q": names[k % len(names)][0]},
            "search q=phone digits": lambda k: {"q": names[k % len(names)][1].replace("-", "")[-8:]},
            "search q=last four digits": lambda k: {"q": names[k % len(names)][1][-4:]},
            "search filters+sort revenue": lambda k: {
                "package_status": "active",
                "service_filter": rng.choice(["brain", "brain,pulse", "red", "lymph,ai_bike"]),
                "sort_by": "-revenue",
            },
            "search expiring+membership": lambda k: {
                "package_status": "expiring",
                "membership_level": rng.choice(["vip", "premium", "basic"]),
            },
            "search risk+last_visit range page 5": lambda k: {
                "risk_level": rng.choice(["stable", "warning", "danger"]),
                "last_visit_from": "2025-01-01",
                "sort_by": "name",
                "page": 5,
            },
            "search no filter size=100": lambda k: {"size": 100, "sort_by": "-last_visit"},
        }
        for name, params in searches.items():
            self._time(
                name,
                [lambda k=k, p=params: staff.get("/api/v1/customers/search", p(k)) for k in range(repeat)],
                results,
            )
