"""Train the shop churn model as of a date and save a versioned artifact (ml.churn_shop)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.timeutils import local_today, local_tz
from ml.churn_shop import DEFAULT_HORIZON_DAYS, shop_churn_train


class Command(BaseCommand):
    help = "샵 고객 이탈 예측 모델을 학습하고 이후 기간에서 평가합니다 (최근성 기준선 대비)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="평가 기준일 T (기본: 오늘 − horizon). 학습은 T − horizon"
        )
        parser.add_argument("--horizon-days", type=int, default=DEFAULT_HORIZON_DAYS, help="이탈 판정 기간(일)")

    def handle(self, *args: object, **options: object) -> None:
        horizon = int(options["horizon_days"])
        if horizon < 7:
            raise CommandError("--horizon-days 는 7 이상이어야 합니다")
        latest = local_today() - timedelta(days=horizon)
        as_of = options["as_of"] or latest
        if as_of > latest:
            raise CommandError(
                f"--as-of {as_of} 이후 {horizon}일의 구매 여부가 아직 관측되지 않았습니다. {latest} 이전 날짜를 쓰세요"
            )
        self.stdout.write(f"학습 기준 {as_of - timedelta(days=horizon)}, 평가 기준 {as_of}, 이탈 기간 {horizon}일")
        try:
            result = shop_churn_train(as_of=as_of, horizon_days=horizon, tz=local_tz())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ev = result.metrics["out_of_time"]
        for name in ("model", "baseline_recency"):
            r = ev[name]
            self.stdout.write(
                f"{name:>16}: AUC={r['auc']} AP={r['average_precision']} precision={r['precision']} "
                f"recall={r['recall']} (n={r['n']}, 이탈률={r['positive_rate']})"
            )
        self.stdout.write(json.dumps(result.metrics["coefficients"], ensure_ascii=False))
        self.stdout.write(self.style.SUCCESS(f"저장됨: shop_churn {result.version} (id={result.artifact_id})"))
