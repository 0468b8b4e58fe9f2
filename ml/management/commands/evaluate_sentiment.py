"""Evaluate the served review sentiment model on NSMC test and SentiNeg dev."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ml.registry import artifact_load_latest
from ml.sentiment.evaluation import clause_check
from ml.sentiment.scoring import ARTIFACT_NAME
from ml.sentiment.workflow import evaluate_model


class Command(BaseCommand):
    help = "감정 분석 모델을 NSMC test 와 SentiNeg dev 로 평가합니다 (정확도, macro-F1, ECE, 혼동 행렬)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="말뭉치 경로 (기본: SENTIMENT_DATA_DIR)")
        parser.add_argument("--json", action="store_true", help="결과를 JSON 으로 출력")

    def handle(self, *args: object, **options: object) -> None:
        loaded = artifact_load_latest(ARTIFACT_NAME)
        if loaded is None:
            raise CommandError("학습된 감정 분석 모델이 없습니다 (manage.py train_sentiment)")
        data_dir = Path(options["data_dir"] or settings.SENTIMENT_DATA_DIR)
        if not (data_dir / "nsmc" / "ratings_test.txt").exists():
            raise CommandError(f"말뭉치가 없습니다: {data_dir}")

        def progress(desc: str, total: int) -> tqdm:
            return tqdm(total=total, desc=desc, file=self.stderr, unit="건", mininterval=2)

        metrics = evaluate_model(loaded.model, data_dir=data_dir, progress=progress)
        clauses = clause_check(loaded.model.positive_probability)
        if options["json"]:
            out = {"version": loaded.version, **metrics, "aspect_clauses": clauses}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"모델 {ARTIFACT_NAME}@{loaded.version}")
        for name, m in metrics.items():
            self.stdout.write(f"\n[{name}] n={m['n']}")
            self.stdout.write(f"  accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}  ECE {m['ece']:.4f}")
            cb = m["confusion_binary"]
            self.stdout.write("  혼동 행렬 (행=정답, 열=예측)      positive  negative")
            for gold in ("positive", "negative"):
                self.stdout.write(f"    {gold:<30}{cb[gold]['positive']:>9}{cb[gold]['negative']:>10}")
            c3 = m["confusion_three_way"]
            self.stdout.write("  3분류 (행=정답, 열=예측)          positive   neutral  negative")
            for gold in ("positive", "negative"):
                row = c3[gold]
                self.stdout.write(f"    {gold:<30}{row['positive']:>9}{row['neutral']:>10}{row['negative']:>10}")
            self.stdout.write(
                f"  중립 비율 {m['neutral_share']:.4f}, 중립 구간 안 정확도 {m['accuracy_in_neutral_band']}, "
                f"밖 정확도 {m['accuracy_outside_neutral_band']}"
            )
        self.stdout.write(f'\n[측면 절 점검] 손으로 쓴 {clauses["n"]}개 절 (docs/sentiment.md, "Aspects")')
        for name, label in (("as_written", "잘린 그대로"), ("completed", "문장으로 완성")):
            c = clauses[name]
            self.stdout.write(f"  {label}: 극성 정확도 {c['accuracy']:.4f}, 중립 아닌 정답 {c['called_right']:.4f}")
