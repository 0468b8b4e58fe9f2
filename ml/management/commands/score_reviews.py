"""Score every stored review with the served sentiment model (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.errors import ApiError
from ml.sentiment.reviews import reviews_score


class Command(BaseCommand):
    help = "저장된 리뷰의 감정·점수·측면을 분석해 기록합니다. 이미 같은 모델 버전으로 분석한 리뷰는 건너뜁니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rescore", action="store_true", help="이미 분석한 리뷰도 다시 분석")
        parser.add_argument("--limit", type=int, default=None, help="최대 리뷰 수")

    def handle(self, *args: object, **options: object) -> None:
        bar = tqdm(desc="리뷰 감정 분석", file=self.stdout, unit="건", mininterval=2)

        def on_batch(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            result = reviews_score(rescore=bool(options["rescore"]), limit=options["limit"], on_batch=on_batch)
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"{result['scored']}건 분석 ({result['model_version']})"))
