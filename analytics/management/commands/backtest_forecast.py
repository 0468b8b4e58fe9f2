"""Backtest the sales forecast as of a date: MAE, MAPE, sMAPE of the ETS model and of
seasonal-naive on the last ``--weeks`` weeks."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.shop.selectors.forecast import HISTORY_DAYS, forecast_history_for_backtest
from commerce.currency import currency_resolve
from core.errors import ApiError
from core.timeutils import local_today
from ml.forecasting import MIN_HISTORY_DAYS, SEASON, backtest


class Command(BaseCommand):
    help = "판매 예측 모델을 과거 데이터로 검증합니다 (ETS vs 계절 단순 예측)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, help="마지막 관측일 (기본: 어제)")
        parser.add_argument("--weeks", type=int, default=4, help="검증할 최근 주 수")
        parser.add_argument("--history-days", type=int, default=HISTORY_DAYS, help="학습 구간을 포함한 전체 이력 일수")
        parser.add_argument("--product-id", type=int)
        parser.add_argument("--category-id", type=int)
        parser.add_argument("--currency", help="검증할 통화 (기본: SHOP_CURRENCY)")

    def handle(self, *args: object, **options: object) -> None:
        as_of = options["as_of"] or local_today() - timedelta(days=1)
        try:
            currency = currency_resolve(options["currency"])
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        weeks = int(options["weeks"])
        days = max(int(options["history_days"]), MIN_HISTORY_DAYS + weeks * SEASON)
        history = forecast_history_for_backtest(
            as_of=as_of,
            days=days,
            product_id=options["product_id"],
            category_id=options["category_id"],
            currency=currency,
        )
        result = backtest(history, weeks=weeks)
        if result is None:
            raise CommandError(f"이력이 {len(history)}일뿐입니다. 최소 {MIN_HISTORY_DAYS + SEASON}일이 필요합니다")
        self.stdout.write(
            f"통화 {currency}, 기준일 {as_of}, 이력 {len(history)}일, 검증 {result['weeks']}주 ({result['days']}일)"
        )
        self.stdout.write(f"{'':>16} {'MAE':>12} {'MAPE(%)':>10} {'sMAPE(%)':>10}")
        for label, key in (("ETS", "model"), ("seasonal-naive", "seasonal_naive")):
            m = result[key]
            mape = "-" if m["mape"] is None else f"{m['mape']:.2f}"
            self.stdout.write(f"{label:>16} {m['mae']:>12.2f} {mape:>10} {m['smape']:>10.2f}")
        verdict = (
            "ETS가 계절 단순 예측보다 정확합니다"
            if result["beats_baseline"]
            else "ETS가 계절 단순 예측보다 낫지 않습니다"
        )
        self.stdout.write(self.style.SUCCESS(f"accuracy(1 − sMAPE) = {result['accuracy']:.4f} · {verdict}"))
