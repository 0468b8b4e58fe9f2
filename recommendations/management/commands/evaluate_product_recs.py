"""``manage.py evaluate_product_recs --as-of DATE --days 30`` — time-split evaluation of every
product-recommendation algorithm and both popularity baselines (recommendations/shop/training.py)."""

from __future__ import annotations

import datetime as dt
import json
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from recommendations.shop.engine import RecParams
from recommendations.shop.training import K, recs_evaluate

LABELS = {
    "hybrid": "hybrid (혼합)",
    "collaborative": "collaborative (협업)",
    "item_knn": "  item-kNN",
    "als": "  ALS",
    "content_based": "content_based (내용)",
    "popular_all_time": "인기 (전체 기간)",
    "popular_30d": "인기 (최근 30일)",
}


class Command(BaseCommand):
    help = "상품 추천을 시간 분할로 평가합니다: 기준일까지 학습, 이후 N일의 새 상품 구매로 hit-rate·NDCG 등 측정."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="학습 기준일 (YYYY-MM-DD)")
        parser.add_argument("--days", type=int, default=30, help="평가 기간(일), 기본 30")
        parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP 스레드 수 (기본 1)")
        parser.add_argument("--json", action="store_true", help="결과를 JSON으로도 출력")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if not 1 <= days <= 365:
            raise CommandError("--days 는 1~365 사이여야 합니다")
        started = time.perf_counter()
        params = RecParams(threads=options["threads"])
        with tqdm(desc="평가", unit="단계", file=self.stderr, disable=options["verbosity"] == 0) as bar:

            def progress(text: str) -> None:
                bar.set_postfix_str(text)
                bar.update(1)

            try:
                report = recs_evaluate(as_of=options["as_of"], days=days, params=params, progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"기준일 {report['as_of']}, 이후 {days}일: 평가 구매자 {report['test_buyers']:,}명, "
            f"새 상품 구매 {report['test_pairs']:,}쌍 (학습 구매자 {report['train']['buyers']:,}명, "
            f"상품 {report['train']['products']:,}개, 주문 라인 {report['train']['order_lines']:,}줄)"
        )
        self.stdout.write(f"collaborative = {report['collaborative']}, hybrid 가중치 = {json.dumps(report['weights'])}")
        head = f"{'algorithm':<22}{'hit@' + str(K):>9}{'ndcg@' + str(K):>9}{'prec@' + str(K):>9}{'rec@' + str(K):>9}{'coverage':>10}"
        self.stdout.write(head)
        for name, m in report["algorithms"].items():
            self.stdout.write(
                f"{LABELS.get(name, name):<22}{m['hit_rate']:>9.4f}{m['ndcg']:>9.4f}{m['precision']:>9.4f}"
                f"{m['recall']:>9.4f}{m['coverage']:>10.4f}"
            )
        algos = report["algorithms"]
        if "hybrid" in algos and algos["popular_all_time"]["hit_rate"] > 0:
            best_pop = max(algos["popular_all_time"]["hit_rate"], algos["popular_30d"]["hit_rate"])
            self.stdout.write(
                f"hybrid / 더 나은 인기 기준선 = {algos['hybrid']['hit_rate'] / max(best_pop, 1e-9):.2f}배, "
                f"hybrid / 전체 기간 인기 = {algos['hybrid']['hit_rate'] / algos['popular_all_time']['hit_rate']:.2f}배"
            )
        self.stdout.write(
            f"{time.perf_counter() - started:.1f}초 (CPU {time.process_time():.1f}초), 최대 메모리 {peak:.0f} MiB"
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
