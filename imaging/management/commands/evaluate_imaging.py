"""Quality of the image checks and of the label OCR on generated photos with known answers."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from imaging.evaluation import HELD_OUT_SEED, evaluate_labels, evaluate_no_label, evaluate_products


class Command(BaseCommand):
    help = "이미지 검사 일치율과 영양성분표 OCR 정확도를 합성 사진으로 평가합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--labels", type=int, default=40, help="평가할 영양성분표 사진 수")
        parser.add_argument("--level", choices=["degraded", "clean"], default="degraded")
        parser.add_argument("--start", type=int, default=HELD_OUT_SEED, help="첫 라벨 시드")
        parser.add_argument("--no-label", type=int, default=6, help="라벨 없는 사진 수")
        parser.add_argument("--product-seeds", type=int, default=3, help="상품 사진 사례별 시드 수")
        parser.add_argument("--json", default="", help="결과 JSON 경로")

    def handle(self, *args: object, **opts: object) -> None:
        def bar(desc: str):
            return lambda it: tqdm(list(it), desc=desc, file=self.stderr._out)

        report: dict = {}
        if opts["product_seeds"]:
            report["products"] = evaluate_products(seeds=int(opts["product_seeds"]), progress=bar("상품 사진"))
            p = report["products"]
            self.stdout.write(f"image checks: agreement {p['agreement']:.1%} on {p['images']} images {p['per_check']}")
        if opts["labels"]:
            report["labels"] = evaluate_labels(
                count=int(opts["labels"]), level=str(opts["level"]), start=int(opts["start"]), progress=bar("라벨")
            )
            lab = report["labels"]
            self.stdout.write(
                f"OCR ({lab['level']}, {lab['labels']} labels): fields exact {lab['field_accuracy']:.1%}, "
                f"labels all exact {lab['labels_all_fields_exact']:.1%}, serving size {lab['serving_size_accuracy']:.1%}, "
                f"time p50 {lab['ocr_time']['p50_ms']} ms p95 {lab['ocr_time']['p95_ms']} ms"
            )
            self.stdout.write(f"  per field {lab['per_field']}")
            for f in lab["failures"]:
                self.stdout.write(f"  seed {f['seed']} ({f['format']}): {f['wrong']}")
        if opts["no_label"]:
            report["no_label"] = evaluate_no_label(count=int(opts["no_label"]), progress=bar("라벨 없는 사진"))
            self.stdout.write(f"no-label photos answered as such: {report['no_label']['answered_no_label']:.0%}")
        if opts["json"]:
            with open(str(opts["json"]), "w", encoding="utf-8") as fh:
                json.dump(report, fh, ensure_ascii=False, indent=2)
