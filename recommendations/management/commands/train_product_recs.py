"""``manage.py train_product_recs --as-of DATE`` — fit the shop product recommender on purchases
up to the end of DATE and save it in the model registry (recommendations/shop/)."""

from __future__ import annotations

import datetime as dt
import json
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.timeutils import local_today
from recommendations.shop.engine import RecParams
from recommendations.shop.services import product_recs_train


class Command(BaseCommand):
    help = "상품 추천 모델(협업·내용·혼합)을 기준일까지의 구매로 학습해 모델 저장소에 저장합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="학습 기준일 (YYYY-MM-DD, 기본 오늘)")
        parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP 스레드 수 (기본 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = local_today()
        as_of = options["as_of"] or today
        if as_of > today:
            raise CommandError(f"--as-of {as_of} 는 오늘({today}) 이후일 수 없습니다")
        started = time.perf_counter()
        with tqdm(desc="학습", unit="단계", file=self.stderr, disable=options["verbosity"] == 0) as bar:

            def progress(text: str) -> None:
                bar.set_postfix_str(text)
                bar.update(1)

            try:
                saved = product_recs_train(as_of=as_of, params=RecParams(threads=options["threads"]), progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        m = saved.metrics
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"기준일 {as_of}: 구매자 {m['buyers']:,}명, 상품 {m['products']:,}개, 주문 라인 {m['order_lines']:,}줄"
        )
        self.stdout.write(f"collaborative = {m['collaborative']}, hybrid 가중치 = {json.dumps(m['weights'])}")
        val = m["validation"]
        if "hybrid" in val:
            parts = ", ".join(f"{k} {v['hit_rate']:.3f}" for k, v in val["parts"].items())
            self.stdout.write(
                f"검증 hit-rate@10 (구매자 {val['users']:,}명): hybrid {val['hybrid']['hit_rate']:.3f}, {parts}"
            )
        else:
            self.stdout.write(val.get("note", ""))
        self.stdout.write(
            self.style.SUCCESS(
                f"저장됨: shop_product_recs {saved.version} (id={saved.artifact_id}), "
                f"{time.perf_counter() - started:.1f}초, 최대 메모리 {peak:.0f} MiB"
            )
        )
