"""``manage.py bench_platform``: latency of the platform layers on this machine's database and
cache (health, an authenticated API read with and without the rate-limit throttle, the cache
helper with a dead Redis). Prints a table; nothing is written but audit-free reads."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, RequestFactory, override_settings
from tqdm import tqdm

from accounts.internal_tokens import internal_token_issue
from accounts.throttling import counter_hit
from core.cache import breaker, cached_result

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


def _measure(label: str, n: int, fn: Callable[[], object], stdout: object) -> dict:
    fn()  # warm-up (imports, connections)
    samples = []
    for _ in tqdm(range(n), desc=label, file=stdout, leave=False):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "label": label,
        "n": n,
        "p50": statistics.median(samples),
        "p95": samples[int(0.95 * (n - 1))],
        "max": samples[-1],
    }


class Command(BaseCommand):
    help = "플랫폼 계층(상태 확인, 인증·권한·속도 제한·envelope, Redis 장애 시 캐시) 지연 시간을 잽니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=300, help="측정별 요청 수 (기본 300)")

    def handle(self, *args: object, **options: object) -> None:
        n = int(options["requests"])
        client = Client()
        token = internal_token_issue(service=f"bench-{uuid.uuid4().hex[:8]}", role="ADMIN", days=1)
        api = {"HTTP_X_INTERNAL_TOKEN": token}

        def audit_read() -> None:
            response = client.get("/api/v1/audit/logs?size=20", **api)
            assert response.status_code == 200, response.status_code

        rows = [
            _measure("GET /api/v1/health", n, lambda: client.get("/api/v1/health"), self.stdout),
            _measure("GET /api/v1/audit/logs (throttle on)", n, audit_read, self.stdout),
        ]
        with override_settings(RATELIMIT_ENABLE=False):
            rows.append(_measure("GET /api/v1/audit/logs (throttle off)", n, audit_read, self.stdout))
        probe = RequestFactory().get("/")
        rows.append(
            _measure(
                "rate counter alone (one EVALSHA on Redis)",
                n,
                lambda: counter_hit(probe, group="bench", key=token[-12:], rate="1000000/h"),
                self.stdout,
            )
        )
        with override_settings(CACHES=DEAD_REDIS):
            breaker.reset()
            rows.append(
                _measure(
                    "cached_result, Redis down",
                    n,
                    lambda: cached_result("bench", scopes=("shop",), params=None, ttl=60, compute=lambda: 1),
                    self.stdout,
                )
            )
            breaker.reset()
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        cache = "redis" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "locmem"
        self.stdout.write(f"database={db} cache={cache} requests={n} (in-process test client, 1 thread)")
        self.stdout.write(f"{'measure':<42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for row in rows:
            self.stdout.write(f"{row['label']:<42} {row['p50']:>8.2f} {row['p95']:>8.2f} {row['max']:>8.2f}")
