"""Train every model the API serves, in order: center churn (then score all customers), shop churn,
review sentiment (then score all reviews), shop product recommendations and the price elasticities."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ml.models import ModelArtifact

# (artifact name, commands that build it)
PIPELINE = (
    ("center_churn", ("train_center_churn", "score_center_churn")),
    ("shop_churn", ("train_shop_churn",)),
    # --fast: 20k NSMC + SentiNeg, a few minutes; the full model: manage.py train_sentiment (docs/sentiment.md)
    ("review_sentiment", (("train_sentiment", "--fast"), "score_reviews")),
    ("shop_product_recs", ("train_product_recs",)),
    ("price_elasticity", ("estimate_price_elasticity",)),
)


class Command(BaseCommand):
    help = "API가 쓰는 모든 모델을 학습합니다 (센터 이탈 + 위험도 산정, 샵 이탈, 리뷰 감정 + 리뷰 분석, 상품 추천, 가격 탄력성). make demo 가 실행합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-missing", action="store_true", help="이미 학습된 모델은 건너뜁니다")

    def handle(self, *args: object, **options: object) -> None:
        for name, commands in PIPELINE:
            if options["if_missing"] and ModelArtifact.objects.filter(name=name, is_active=True).exists():
                self.stdout.write(f"{name}: 이미 학습됨, 건너뜀")
                continue
            for entry in commands:
                command, *args = (entry,) if isinstance(entry, str) else entry
                self.stdout.write(f"== {command}")
                try:
                    call_command(command, *args, stdout=self.stdout, stderr=self.stderr)
                except CommandError as exc:
                    # Too little history for one model must not stop the demo: say why and go on.
                    self.stderr.write(f"{command}: {exc}")
                    break
