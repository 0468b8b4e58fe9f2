"""Speed of /images/validate on a 12-megapixel JPEG and of the label OCR (docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from imaging.errors import OcrUnavailable
from imaging.evaluation import HELD_OUT_SEED, _jpeg, percentiles, twelve_megapixel_jpeg
from imaging.selectors import image_validate, label_read
from imaging.synth.labels import make_label_photo


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Command(BaseCommand):
    help = "이미지 검증(12MP JPEG)과 영양성분표 OCR의 p50/p95 시간을 잽니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--validate", type=int, default=20, help="검증 반복 횟수")
        parser.add_argument("--ocr", type=int, default=10, help="OCR 라벨 수")
        parser.add_argument("--json", default="")

    def handle(self, *args: object, **opts: object) -> None:
        report: dict = {"load_before": os.getloadavg()}
        photo = twelve_megapixel_jpeg()
        samples, cpu = [], []
        for _ in tqdm(range(int(opts["validate"])), desc="validate 12MP", file=self.stderr._out):
            upload = SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")
            started, c0 = time.perf_counter(), _cpu()
            image_validate(upload=upload)
            samples.append(time.perf_counter() - started)
            cpu.append(_cpu() - c0)
        report["validate_12mp"] = {
            **percentiles(samples),
            "bytes": len(photo),
            "size": "4000x3000",
            "cpu": percentiles(cpu),
        }
        self.stdout.write(f"validate 12MP JPEG ({len(photo) // 1024} KB): {report['validate_12mp']}")
        samples, cpu, timeouts = [], [], 0
        for seed in tqdm(range(HELD_OUT_SEED, HELD_OUT_SEED + int(opts["ocr"])), desc="OCR", file=self.stderr._out):
            img, _spec = make_label_photo(seed)
            upload = SimpleUploadedFile("l.jpg", _jpeg(img, 92), content_type="image/jpeg")
            started, c0 = time.perf_counter(), _cpu()
            try:
                label_read(upload=upload)
            except OcrUnavailable:
                timeouts += 1  # past IMAGING_OCR_TIMEOUT_SECONDS: counted, and timed as what it cost
            samples.append(time.perf_counter() - started)
            cpu.append(_cpu() - c0)
        report["ocr_per_label"] = {**percentiles(samples), "cpu": percentiles(cpu), "timeouts": timeouts}
        report["load_after"] = os.getloadavg()
        self.stdout.write(f"OCR per label: {report['ocr_per_label']}")
        self.stdout.write(f"load average before {report['load_before']}, after {report['load_after']}")
        if opts["json"]:
            with open(str(opts["json"]), "w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2)
