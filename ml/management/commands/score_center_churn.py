"""Score every center customer with the latest churn model and write risk_level in bulk."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from customers.models import ServiceSession
from customers.services.risk import customer_risk_levels_write
from ml.churn_center import MODEL_NAME, churn_features, churn_probabilities, risk_level_for
from ml.registry import artifact_load_latest

CHUNK = 10000


class Command(BaseCommand):
    help = "최신 센터 이탈 모델로 전체 고객의 risk_level(stable/warning/danger)을 계산해 저장"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, help="특성 계산 기준일 (기본: 오늘)")

    def handle(self, *args: object, **options: object) -> None:
        loaded = artifact_load_latest(MODEL_NAME)
        if loaded is None:
            raise CommandError("학습된 center_churn 모델이 없습니다. train_center_churn을 먼저 실행하세요")
        as_of = options["as_of"] or timezone.localdate()
        ids = sorted(
            set(ServiceSession.objects.filter(service_date__lte=as_of).values_list("customer_id", flat=True).distinct())
        )
        levels: dict[int, str] = {}
        for start in tqdm(range(0, len(ids), CHUNK), file=self.stdout, desc="scoring", unit="chunk"):
            chunk = ids[start : start + CHUNK]
            features = churn_features(as_of=as_of, customer_ids=chunk, active_days=None)
            for customer_id, p in zip(features.index, churn_probabilities(loaded.model, features), strict=True):
                levels[int(customer_id)] = risk_level_for(float(p))
        updated = customer_risk_levels_write(levels=levels)
        counts = Counter(levels.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{MODEL_NAME}@{loaded.version}: {updated}명 갱신 "
                f"(stable {counts['stable']}, warning {counts['warning']}, danger {counts['danger']})"
            )
        )
