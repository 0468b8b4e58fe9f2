"""``python manage.py estimate_price_elasticity`` — every product's price elasticity, pooled toward
its category, saved as the ``price_elasticity`` artifact the price optimiser serves (ml.pricing).
Run it nightly (Celery beat ``price-elasticity-nightly`` or cron); docs/pricing.md."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ml.pricing.elasticity import DEFAULT_GRANULARITY, DEFAULT_METHOD, GRANULARITIES, METHODS, NotEnoughData
from ml.pricing.estimates import elasticity_train


class Command(BaseCommand):
    help = "모든 상품의 가격 탄력성을 추정(카테고리 쪽으로 부분 풀링)해 모델 저장소에 저장합니다. 매일 밤 실행하세요."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--method", choices=METHODS, default=DEFAULT_METHOD, help="추정 방법 (기본: 백테스트로 고른 것)"
        )
        parser.add_argument("--granularity", choices=GRANULARITIES, default=DEFAULT_GRANULARITY, help="집계 단위")
        parser.add_argument("--as-of", type=date.fromisoformat, help="이력의 마지막 날 (기본: 최신 주문일)")

    def handle(self, *args: object, **options: object) -> None:
        bar = tqdm(desc="가격 탄력성", unit="단계", file=self.stderr, disable=None)
        try:
            run, artifact_id = elasticity_train(
                method=str(options["method"]),
                granularity=str(options["granularity"]),
                as_of=options["as_of"],
                progress=bar.update,
            )
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        m = run.metrics()
        self.stdout.write(
            f"기준일 {run.as_of}, 방법 {run.method}, 집계 {run.granularity}: 추정 {m['products_estimated']}개 "
            f"(자체 추정 {m['products_with_own_estimate']}개, 풀링 {m['products_pooled']}개), 제외 {m['products_skipped']}개"
        )
        if "elasticity_median" in m:
            self.stdout.write(
                f"탄력성 중앙값 {m['elasticity_median']} (10–90%: {m['elasticity_p10']} ~ {m['elasticity_p90']}), "
                f"평균 {m['elasticity_mean']}"
            )
        self.stdout.write(self.style.SUCCESS(f"저장됨: price_elasticity (id={artifact_id})"))
