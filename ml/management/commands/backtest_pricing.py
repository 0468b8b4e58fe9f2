"""``python manage.py backtest_pricing`` — how well the estimated elasticities predict the units
sold after the shop's own recent price changes, against "units stay the same" (ml.pricing.backtest)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ml.pricing.backtest import pricing_backtest
from ml.pricing.elasticity import DEFAULT_GRANULARITY, FITTERS, GRANULARITIES, NotEnoughData


class Command(BaseCommand):
    help = "최근 가격이 바뀐 상품에서, 바뀌기 전 데이터로 추정한 탄력성이 바뀐 뒤 판매량을 얼마나 맞히는지 평가합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--window-days", type=int, default=84, help="평가 구간(최근 N일, 기본 84)")
        parser.add_argument("--min-change", type=float, default=0.05, help="가격 변화로 볼 최소 비율 (기본 0.05 = 5%%)")
        parser.add_argument(
            "--methods", default="poisson,loglog,dml,naive", help=f"비교할 방법, 쉼표로 ({', '.join(FITTERS)})"
        )
        parser.add_argument("--granularity", choices=GRANULARITIES, default=DEFAULT_GRANULARITY)
        parser.add_argument("--as-of", type=date.fromisoformat, help="이력의 마지막 날 (기본: 최신 주문일)")
        parser.add_argument("--json", action="store_true", help="보고서 전체를 JSON으로 출력")

    def handle(self, *args: object, **options: object) -> None:
        methods = tuple(m.strip() for m in str(options["methods"]).split(",") if m.strip())
        unknown = [m for m in methods if m not in FITTERS]
        if unknown or not methods:
            raise CommandError(f"알 수 없는 방법: {', '.join(unknown) or '(없음)'}")
        if int(options["window_days"]) < 14:
            raise CommandError("--window-days 는 14 이상이어야 합니다")
        bar = tqdm(desc="백테스트", unit="단계", file=self.stderr, disable=None)
        try:
            report = pricing_backtest(
                window_days=int(options["window_days"]),
                min_change=float(options["min_change"]),
                methods=methods,
                granularity=str(options["granularity"]),
                as_of=options["as_of"],
                progress=bar.update,
            )
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"기준일 {report['as_of']}, 절단 {report['cutoff']} (최근 {report['window_days']}일), "
            f"판매 상품 {report['products_with_sales']}개 중 가격이 {report['min_change_pct']}% 이상 바뀐 상품 "
            f"{report['products_with_price_change']}개"
        )
        for method, r in report["methods"].items():
            if not r.get("products"):
                self.stdout.write(f"{method:>8}: 추정된 상품 없음")
                continue
            self.stdout.write(
                f"{method:>8}: 상품 {r['products']}개, 상품-주 {r['product_weeks']} | WAPE 모델 {r['model']['wape']} "
                f"(계절 모형 {r['seasonal_model']['wape']}, 최근 수준 {r['recent_level_model']['wape']}) / 판매량 유지 {r['naive_units_stay']['wape']} | "
                f"MAE {r['model']['mae']} vs {r['naive_units_stay']['mae']} | 판매량 유지보다 나은 상품 "
                f"{r['share_products_beating_naive']:.0%} | 탄력성 중앙값 {r['elasticities_at_cutoff'].get('median')}"
            )
        d = report["distribution"]
        for name in ("pooled", "own", "naive_no_controls"):
            x = d[name]
            if x.get("n"):
                self.stdout.write(
                    f"탄력성 분포 {name}: n={x['n']} 평균 {x['mean']} 중앙값 {x['median']} (10–90%: {x['p10']} ~ {x['p90']}), "
                    f"탄력적(<−1) {x['share_elastic']:.0%}"
                )
