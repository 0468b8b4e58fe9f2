"""``python manage.py bench_load``: throughput of the API under concurrent HTTP load.

Starts gunicorn (the documented production server, ``config/gunicorn.conf.py``, production
settings) with ``--workers`` workers on PostgreSQL + Redis, drives it with Locust headless
(``bench/locustfile.py``: detail as STAFF and ADMIN, search, customer analytics, the month
dashboard) for ``--duration`` seconds, and reports requests per second, p50/p95/p99 and
errors per endpoint. Any failed request makes the command fail.

The rate limits stay on in the server under test, so every request pays for its counter
(one Redis round trip), but with every scope's limit raised to 100,000,000 an hour through
``RATE_LIMIT_OVERRIDES``: three principals at hundreds of requests per second would be 429
after seconds by design (``--rate-limits off`` turns the counters off, as earlier rounds ran).
Load generator and server share the machine's cores: the figures are a floor for a machine with
a separate load generator. ``--rate N`` paces the users to N requests per second in all, to read
the latency at a given throughput (unpaced, 32 users' latency is 32 ÷ throughput by queueing
alone). Besides latency the command reports the CPU time the server (gunicorn
master and workers) and Locust spent per request: unlike requests per second, that figure does
not depend on what else the machine is doing, and 2 cores ÷ (server + generator + database and
Redis CPU per request) bounds the throughput a quiet machine can reach.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.internal_tokens import internal_token_issue
from accounts.policy import RATE_LIMITS
from bench.subjects import active_customer_ids
from customers.models import Customer

ROOT = Path(settings.BASE_DIR)
ROLES = ("STAFF", "MANAGER", "ADMIN")


def _wait_healthy(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise CommandError(f"gunicorn did not become healthy at {url}")


def _warm(base: str, token: str, ids: list[int]) -> None:
    """One detail request per subject, so the measured run starts with their results cached."""
    for cid in ids:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{base}/api/v1/customers/{cid}/detail", headers={"X-Internal-Token": token}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn master and workers)."""
    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        return 0.0
    return total


class Command(BaseCommand):
    help = "gunicorn + Locust 부하 측정: 초당 요청 수, p50/p95/p99, 오류 (PostgreSQL + Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=32, help="동시 사용자 수 (기본 32)")
        parser.add_argument("--spawn-rate", type=float, default=16)
        parser.add_argument("--duration", type=int, default=60, help="측정 시간(초)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 워커 수 (기본 2)")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--subjects", type=int, default=2000, help="요청에 쓸 고객 수")
        parser.add_argument("--json", help="결과를 저장할 JSON 파일")
        parser.add_argument("--tags", help="이 Locust 태그의 작업만 (예: detail)")
        parser.add_argument(
            "--rate", type=float, help="목표 초당 요청 수 (사용자마다 rate/users 로 속도 조절; 없으면 최대 속도)"
        )
        parser.add_argument("--warm", action="store_true", help="측정 전에 대상 고객의 상세를 한 번씩 요청 (캐시 채움)")
        parser.add_argument(
            "--rate-limits", choices=("on", "off"), default="on", help="요청 제한 카운터 (기본 on, 한도는 크게)"
        )

    def handle(self, *args: object, **opts: object) -> None:
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("PostgreSQL + Redis 에서 실행하세요 (DATABASE_URL, REDIS_URL)")
        rng = random.Random(11)
        ids = active_customer_ids(count=int(opts["subjects"]), rng=rng)
        if not ids:
            raise CommandError("측정할 활성 고객이 없습니다 (seed_demo 를 먼저 실행하세요)")
        phones = Customer.objects.filter(pk__in=ids[:200]).values_list("name", "phone")
        terms = [name for name, _ in phones][:100] + [phone[-4:] for _, phone in phones if phone][:100]
        tokens = {role: internal_token_issue(service=f"load-{role.lower()}", role=role, days=1) for role in ROLES}
        port = int(opts["port"])
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            params = Path(tmp) / "params.json"
            per_user = float(opts["rate"]) / int(opts["users"]) if opts["rate"] else None
            params.write_text(
                json.dumps({"tokens": tokens, "customer_ids": ids, "search_terms": terms, "per_user_rate": per_user})
            )
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "INTERNAL_JWT_SECRET": settings.INTERNAL_JWT_SECRET,
                "SECURE_SSL_REDIRECT": "false",
                "RATELIMIT_ENABLE": "true" if opts["rate_limits"] == "on" else "false",
                "RATE_LIMIT_OVERRIDES": ",".join(f"{scope}=100000000/h" for scope in RATE_LIMITS),
                "ALLOWED_HOSTS": "127.0.0.1",
                "LOG_LEVEL": "WARNING",
            }
            bin_dir = Path(sys.executable).parent
            server = subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
                [
                    str(bin_dir / "gunicorn"),
                    "-c",
                    "config/gunicorn.conf.py",
                    "--workers",
                    str(opts["workers"]),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--access-logfile",
                    "/dev/null",
                    "config.wsgi:application",
                ],
                cwd=ROOT,
                env=env,
            )
            try:
                _wait_healthy(f"{base}/api/v1/health", 60)
                if opts["warm"]:
                    _warm(base, tokens["ADMIN"], ids)
                prefix = Path(tmp) / "locust"
                started = time.time()
                server_cpu_before = _tree_cpu(server.pid)
                children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                result = subprocess.run(  # noqa: S603 - fixed arguments, our own venv
                    [
                        str(bin_dir / "locust"),
                        "-f",
                        "bench/locustfile.py",
                        "--headless",
                        "--users",
                        str(opts["users"]),
                        "--spawn-rate",
                        str(opts["spawn_rate"]),
                        "--run-time",
                        f"{opts['duration']}s",
                        "--host",
                        base,
                        "--csv",
                        str(prefix),
                        *(["--tags", str(opts["tags"])] if opts["tags"] else []),
                        "--only-summary",
                        "--loglevel",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env={**os.environ, "LOAD_PARAMS": str(params)},
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=int(opts["duration"]) + 120,
                )
                load = os.getloadavg()
                server_cpu = _tree_cpu(server.pid) - server_cpu_before
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                locust_cpu = (children.ru_utime + children.ru_stime) - (
                    children_before.ru_utime + children_before.ru_stime
                )
                stats = Path(f"{prefix}_stats.csv")
                rows = list(csv.DictReader(stats.read_text(encoding="utf-8").splitlines())) if stats.exists() else []
            finally:
                server.terminate()
                server.wait(timeout=30)
        if not rows:
            raise CommandError(f"locust produced no statistics: {result.stderr[-2000:]}")
        out = {
            "users": opts["users"],
            "workers": opts["workers"],
            "duration_s": opts["duration"],
            "started": started,
            "load_average_after": [round(x, 2) for x in load],
            "rate_limits": opts["rate_limits"],
            "tags": opts["tags"],
            "target_rate": opts["rate"],
            "warm": bool(opts["warm"]),
            "worker_class": os.environ.get("GUNICORN_WORKER_CLASS", "gthread"),
            # as config/gunicorn.conf.py: a sync worker has one thread
            "threads": int(os.environ.get("GUNICORN_THREADS", "4"))
            if os.environ.get("GUNICORN_WORKER_CLASS", "gthread") == "gthread"
            else 1,
            "endpoints": {},
        }
        self.stdout.write(f"{'endpoint':32} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'n':>8} {'errors':>7}")
        failures = 0
        for row in rows:
            name = row["Name"]
            entry = {
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
            }
            out["endpoints"][name] = entry
            if name != "Aggregated":
                failures += entry["failures"]
            self.stdout.write(
                f"{name:32} {entry['rps']:8.1f} {entry['p50_ms']:6.0f} {entry['p95_ms']:6.0f} "
                f"{entry['p99_ms']:6.0f} {entry['requests']:8d} {entry['failures']:7d}"
            )
        total = out["endpoints"].get("Aggregated", {}).get("requests") or 0
        if total:
            out["server_cpu_ms_per_request"] = round(server_cpu / total * 1000, 2)
            out["locust_cpu_ms_per_request"] = round(locust_cpu / total * 1000, 2)
            self.stdout.write(
                f"CPU per request: server {out['server_cpu_ms_per_request']} ms, "
                f"Locust {out['locust_cpu_ms_per_request']} ms ({total} requests)"
            )
        self.stdout.write(f"load average after the run: {out['load_average_after']}")
        if opts["json"]:
            target = Path(str(opts["json"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        if failures:
            raise CommandError(f"{failures} requests failed under load")
