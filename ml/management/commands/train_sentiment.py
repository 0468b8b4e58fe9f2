"""Train the review sentiment model on NSMC + KoBEST SentiNeg, evaluate it on the held-out splits
and save it as the ``review_sentiment`` artifact (docs/sentiment.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ml.registry import artifact_save
from ml.sentiment.data import ATTRIBUTION
from ml.sentiment.scoring import ARTIFACT_NAME
from ml.sentiment.training import DEFAULT_MEMBERS, FAST_MEMBERS, MEMBERS, TrainConfig, train
from ml.sentiment.workflow import evaluate_model

FAST_NSMC_LIMIT = 20_000
FAST_EVAL_LIMIT = 5_000


class Command(BaseCommand):
    help = "리뷰 감정 분석 모델을 NSMC + KoBEST SentiNeg 로 학습·평가하고 모델 저장소에 저장합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="말뭉치 경로 (기본: SENTIMENT_DATA_DIR)")
        parser.add_argument(
            "--fast",
            action="store_true",
            help=f"NSMC 앞 {FAST_NSMC_LIMIT}건만, 선형 구성원만 학습 (make demo 용, 정확도 낮음)",
        )
        parser.add_argument("--nsmc-limit", type=int, default=None, help="NSMC 학습 문장 수 제한")
        parser.add_argument("--c", type=float, default=TrainConfig.C, help="로지스틱 회귀 C")
        parser.add_argument("--sentineg-weight", type=float, default=TrainConfig.sentineg_weight)
        parser.add_argument(
            "--members",
            default=None,
            help=f"쉼표로 구분한 구성원 ({', '.join(MEMBERS)}; 기본 {','.join(DEFAULT_MEMBERS)})",
        )
        parser.add_argument("--mlp-seeds", type=int, default=TrainConfig.mlp_seeds, help="MLP 구성원당 신경망 수")
        parser.add_argument("--mlp-hidden", type=int, default=TrainConfig.mlp_hidden, help="MLP 은닉 유닛 수")
        parser.add_argument("--skip-eval", action="store_true", help="NSMC test / SentiNeg dev 평가 생략")

    def handle(self, *args: object, **options: object) -> None:
        data_dir = Path(options["data_dir"] or settings.SENTIMENT_DATA_DIR)
        if not (data_dir / "nsmc" / "ratings_train.txt").exists():
            raise CommandError(f"말뭉치가 없습니다: {data_dir} (SENTIMENT_DATA_DIR 또는 --data-dir)")
        fast = bool(options["fast"])
        members = tuple(options["members"].split(",")) if options["members"] else None
        if members and set(members) - set(MEMBERS):
            raise CommandError(f"알 수 없는 구성원: {', '.join(sorted(set(members) - set(MEMBERS)))}")
        config = TrainConfig(
            data_dir=data_dir,
            nsmc_limit=options["nsmc_limit"] or (FAST_NSMC_LIMIT if fast else None),
            sentineg_weight=float(options["sentineg_weight"]),
            C=float(options["c"]),
            members=members or (FAST_MEMBERS if fast else DEFAULT_MEMBERS),
            mlp_seeds=int(options["mlp_seeds"]),
            mlp_hidden=int(options["mlp_hidden"]),
        )

        def progress(desc: str, total: int) -> tqdm:
            return tqdm(total=total, desc=desc, file=self.stdout, unit="건", mininterval=2)

        model = train(config, progress=progress, log=self.stdout.write)
        metrics: dict = {}
        if not options["skip_eval"]:
            # --fast evaluates on the first 5,000 texts of each split (the names say so)
            metrics = evaluate_model(
                model, data_dir=data_dir, progress=progress, limit=FAST_EVAL_LIMIT if fast else None
            )
            for name, m in metrics.items():
                self.stdout.write(
                    f"{name}: accuracy={m['accuracy']} macro_f1={m['macro_f1']} ECE={m['ece']} "
                    f"neutral={m['neutral_share']} (n={m['n']})"
                )
        artifact = artifact_save(
            name=ARTIFACT_NAME,
            model=model,
            trained_as_of=None,
            metrics=metrics,
            params={
                **model.info["config"],
                "attribution": ATTRIBUTION,
                "fast": fast,
                "features": model.info["features"],
            },
        )
        artifact_size = len(artifact.blob)
        artifact.params = {**artifact.params, "size_bytes": artifact_size}
        artifact.save(update_fields=["params"])
        self.stdout.write(json.dumps(model.info["train_rows"], ensure_ascii=False))
        self.stdout.write(
            self.style.SUCCESS(
                f"저장됨: {ARTIFACT_NAME} {artifact.version} (id={artifact.pk}, {artifact_size / 1e6:.1f} MB)"
            )
        )
