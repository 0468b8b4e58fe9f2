"""``manage.py bench_sentiment``: load time, memory and speed of review sentiment scoring on this
machine (docs/sentiment.md, docs/benchmarks.md). Nothing is written (the API calls are analyses
of given texts)."""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.test import Client, override_settings
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from accounts.internal_tokens import internal_token_issue
from core.threads import limit_blas_threads
from ml.models import ModelArtifact
from ml.sentiment.data import load_corpus
from ml.sentiment.scoring import ARTIFACT_NAME, analyze_texts, sentiment_backend
from ml.sentiment.text import has_hangul

FALLBACK_TEXTS = [
    "정말 맛있어요! 배송도 빠르고 친절하네요.",
    "배송은 느렸지만 맛은 최고예요",
    "완전 총알배송",
    "완전 거북이배송",
    "맛은 있는데 양이 너무 적어요",
    "포장이 꼼꼼하고 신선해요. 재구매 의사 있습니다",
    "가격 대비 별로예요. 다시는 안 살 듯",
    "김치가 너무 시어서 못 먹겠어요 환불 요청합니다",
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * (len(s) - 1)))]


def _score_share(texts: list[str], size: int, backend: object) -> None:
    for start in range(0, len(texts), size):
        analyze_texts(texts[start : start + size], backend=backend)


def _parallel_reviews_per_s(texts: list[str], size: int, backend: object, processes: int) -> float:
    """Throughput of ``processes`` worker processes forked after the model and Kiwi are loaded
    (as gunicorn workers with --preload), each scoring its share in batches of ``size``."""
    connections.close_all()  # no database connection crosses the fork …
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()  # … nor one kept in PostgreSQL's connection pool
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_score_share, args=(texts[k::processes], size, backend)) for k in range(processes)]
    t0 = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - t0
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    if failed:
        raise CommandError(f"배치 작업 프로세스가 실패했습니다: 종료 코드 {failed}")
    return len(texts) / elapsed


class Command(BaseCommand):
    help = "리뷰 감정 분석의 모델 적재 시간, 메모리, 한 건 지연(p50/p95), 배치 처리량을 잽니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--single", type=int, default=300, help="한 건 측정 횟수")
        parser.add_argument("--batch-reviews", type=int, default=2000, help="배치 처리량 측정 리뷰 수")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="배치 처리량을 함께 잴 프로세스 수 (기본: 코어 수)",
        )
        parser.add_argument("--train-if-missing", action="store_true", help="모델이 없으면 train_sentiment --fast")
        parser.add_argument("--json", type=Path, default=None, help="결과 JSON 파일")

    def handle(self, *args: object, **options: object) -> None:
        if not ModelArtifact.objects.filter(name=ARTIFACT_NAME, is_active=True).exists():
            if not options["train_if_missing"]:
                raise CommandError("학습된 감정 분석 모델이 없습니다 (--train-if-missing 또는 train_sentiment)")
            call_command("train_sentiment", "--fast", stdout=self.stdout)
        data_dir = Path(settings.SENTIMENT_DATA_DIR)
        if (data_dir / "kobest_sentineg" / "dev.tsv").exists():
            texts = load_corpus(data_dir, "sentineg_dev").texts + load_corpus(data_dir, "nsmc_test").texts[:5000]
            texts = [t for t in texts if has_hangul(t)]  # the API answers 400 to a text without Hangul
            source = "SentiNeg dev + NSMC test"
        else:
            texts = FALLBACK_TEXTS * 300
            source = "built-in shop reviews"
        with threadpool_limits(limits=None):  # this process's thread limits are restored afterwards
            self._bench(options, texts, source)

    def _bench(self, options: dict, texts: list[str], source: str) -> None:
        # as a gunicorn or Celery worker runs (core/threads.py): WORKER_BLAS_THREADS, default 1
        blas = limit_blas_threads()
        result: dict = {"texts": source, "blas_threads": blas, "rss_start_mb": round(_rss_mb(), 1)}

        started = time.perf_counter()
        backend = sentiment_backend()
        result["model_load_s"] = round(time.perf_counter() - started, 3)
        result["rss_after_model_mb"] = round(_rss_mb(), 1)
        started = time.perf_counter()
        analyze_texts(["맛있어요"], backend=backend)  # loads Kiwi (once per process)
        result["kiwi_load_s"] = round(time.perf_counter() - started, 3)
        result["rss_after_kiwi_mb"] = round(_rss_mb(), 1)
        result["model_version"] = backend.version

        n = int(options["single"])
        samples = []
        for i in tqdm(range(n), desc="한 건", file=self.stdout, leave=False):
            t0 = time.perf_counter()
            analyze_texts([texts[i % len(texts)]], backend=backend)
            samples.append((time.perf_counter() - t0) * 1000)
        result["single_ms"] = {"p50": round(statistics.median(samples), 2), "p95": round(_pct(samples, 0.95), 2)}

        client = Client()
        token = internal_token_issue(service=f"bench-{uuid.uuid4().hex[:8]}", role="MANAGER", days=1)
        api_samples = []
        with override_settings(RATELIMIT_ENABLE=False):
            for i in tqdm(range(n), desc="API 한 건", file=self.stdout, leave=False):
                t0 = time.perf_counter()
                response = client.post(
                    "/api/v1/ml/sentiment/analyze",
                    data=json.dumps({"text": texts[i % len(texts)]}),
                    content_type="application/json",
                    HTTP_X_INTERNAL_TOKEN=token,
                )
                api_samples.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"API {response.status_code}: {response.content[:200]!r}")
        result["api_single_ms"] = {
            "p50": round(statistics.median(api_samples), 2),
            "p95": round(_pct(api_samples, 0.95), 2),
        }

        total = int(options["batch_reviews"])
        size = int(options["batch_size"])
        batch_texts = [texts[i % len(texts)] for i in range(total)]
        t0 = time.perf_counter()
        for start in tqdm(range(0, total, size), desc="배치", file=self.stdout, leave=False):
            analyze_texts(batch_texts[start : start + size], backend=backend)
        elapsed = time.perf_counter() - t0
        result["batch"] = {"reviews": total, "batch_size": size, "reviews_per_s": round(total / elapsed, 1)}
        processes = max(1, int(options["processes"]))
        if processes > 1:
            rate = _parallel_reviews_per_s(batch_texts, size, backend, processes)
            result["batch"]["parallel"] = {"processes": processes, "reviews_per_s": round(rate, 1)}
        result["rss_end_mb"] = round(_rss_mb(), 1)

        self.stdout.write(
            f"모델 {result['model_version']} ({source}, BLAS 스레드 {blas or '기본값'})\n"
            f"  적재: 모델 {result['model_load_s']} s, Kiwi {result['kiwi_load_s']} s\n"
            f"  RSS: 시작 {result['rss_start_mb']} MB → 모델 {result['rss_after_model_mb']} MB → "
            f"Kiwi {result['rss_after_kiwi_mb']} MB → 끝 {result['rss_end_mb']} MB\n"
            f"  한 건 (analyze_texts): p50 {result['single_ms']['p50']} ms, p95 {result['single_ms']['p95']} ms\n"
            f"  한 건 (API 전체 경로): p50 {result['api_single_ms']['p50']} ms, p95 {result['api_single_ms']['p95']} ms\n"
            f"  배치 {size}건씩: {result['batch']['reviews_per_s']} 건/s (1 프로세스)"
        )
        if "parallel" in result["batch"]:
            par = result["batch"]["parallel"]
            self.stdout.write(f"  배치 {size}건씩: {par['reviews_per_s']} 건/s ({par['processes']} 프로세스 합계)")
        if options["json"]:
            Path(options["json"]).parent.mkdir(parents=True, exist_ok=True)
            Path(options["json"]).write_text(json.dumps(result, ensure_ascii=False, indent=2))
