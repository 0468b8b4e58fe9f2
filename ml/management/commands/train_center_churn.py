"""Train and evaluate the center churn model, then save a versioned artifact."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max

from customers.models import ServiceSession
from ml.churn_center import DEFAULT_ACTIVE_DAYS, DEFAULT_HORIZON, MODEL_NAME, center_churn_train
from ml.registry import artifact_save


class Command(BaseCommand):
    help = "센터 이탈 예측 모델 학습·평가 (as-of−horizon 시점으로 학습, as-of 시점으로 평가) 후 저장"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="평가 시점 T (YYYY-MM-DD). 이후 horizon 일의 데이터가 있어야 함. 기본: 마지막 이용일 − horizon",
        )
        parser.add_argument("--horizon-days", type=int, default=DEFAULT_HORIZON)
        parser.add_argument("--active-days", type=int, default=DEFAULT_ACTIVE_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="평가만 하고 저장하지 않음")

    def handle(self, *args: object, **options: object) -> None:
        horizon = int(options["horizon_days"])
        as_of = options["as_of"]
        if as_of is None:
            last = ServiceSession.objects.aggregate(last=Max("service_date"))["last"]
            if last is None:
                raise CommandError("이용 기록이 없습니다")
            as_of = last - timedelta(days=horizon)
        self.stdout.write(f"학습 시점 {as_of - timedelta(days=horizon)} / 평가 시점 {as_of} / horizon {horizon}일")
        try:
            result = center_churn_train(as_of=as_of, horizon_days=horizon, active_days=int(options["active_days"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        m = result.metrics
        self.stdout.write(
            f"학습 {m['train']['n']}명 (이탈률 {m['train']['positive_rate']:.1%}), "
            f"평가 {m['test']['n']}명 (이탈률 {m['test']['positive_rate']:.1%})"
        )
        self.stdout.write(f"{'':18}{'AUC':>8}{'AP':>8}{'precision':>11}{'recall':>8}")
        for label, key in (("model", "model"), ("recency baseline", "baseline_recency")):
            r = m[key]
            self.stdout.write(
                f"{label:18}{_fmt(r['auc']):>8}{_fmt(r['average_precision']):>8}{_fmt(r['precision']):>11}{_fmt(r['recall']):>8}"
            )
        top = sorted(m["coefficients"].items(), key=lambda kv: -abs(kv[1]))[:5]
        self.stdout.write("주요 계수: " + ", ".join(f"{k}={v:+.2f}" for k, v in top))
        if options["dry_run"]:
            self.stdout.write("dry-run: 저장하지 않음")
            return
        artifact = artifact_save(
            name=MODEL_NAME, model=result.model, trained_as_of=as_of, metrics=result.metrics, params=result.params
        )
        self.stdout.write(self.style.SUCCESS(f"저장: {MODEL_NAME}@{artifact.version}"))


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
