"""Quality evaluation on generated photos with known answers (``manage.py evaluate_imaging``)
and the speed benchmark (``manage.py bench_imaging``). Both are reads."""

from __future__ import annotations

import io
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
from PIL import Image

from imaging.acquire.decode import decode_image
from imaging.errors import OcrUnavailable
from imaging.ocr.engine import read_nutrition_label
from imaging.quality.checks import WorkingImage, validate_image
from imaging.selectors import OCR_SIDE, VALIDATE_SIDE
from imaging.synth.labels import make_label_photo
from imaging.synth.products import CASES, render_product

HELD_OUT_SEED = 10_000  # the evaluation's labels are not the ones the parser was tuned on


def _jpeg(img: Image.Image, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(p95 * 1000),
        "max_ms": round(ordered[-1] * 1000),
        "n": len(ordered),
    }


def evaluate_labels(
    *, count: int, level: str = "degraded", start: int = HELD_OUT_SEED, progress: Callable[[Iterable], Iterable] = iter
) -> dict:
    """Exact-field accuracy of the OCR on ``count`` generated label photos."""
    per_field: Counter = Counter()
    per_field_ok: Counter = Counter()
    per_format: Counter = Counter()
    per_format_ok: Counter = Counter()
    labels_all_exact = serving_ok = 0
    failures: list[dict] = []
    times: list[float] = []
    for seed in progress(range(start, start + count)):
        img, spec = make_label_photo(seed, level=level)
        decoded = decode_image(data=_jpeg(img, 92), source="upload", max_side=OCR_SIDE)
        started = time.perf_counter()
        try:
            out = read_nutrition_label(rgb=decoded.rgb)
        except OcrUnavailable:  # timed out: every field counts as wrong
            out = {"nutrition_facts": {}, "confidence": 0.0}
        times.append(time.perf_counter() - started)
        facts = out["nutrition_facts"]
        wrong = {}
        for name, value in spec.facts.items():
            per_field[name] += 1
            per_format[spec.format] += 1
            if facts.get(name) == value:
                per_field_ok[name] += 1
                per_format_ok[spec.format] += 1
            else:
                wrong[name] = {"expected": value, "read": facts.get(name)}
        expected_serving = spec.serving.get("total", spec.serving["value"])
        serving_ok += int((facts.get("serving_size") or {}).get("value") == expected_serving)
        labels_all_exact += int(not wrong)
        if wrong:
            failures.append({"seed": seed, "format": spec.format, "wrong": wrong, "confidence": out["confidence"]})
    total, ok = sum(per_field.values()), sum(per_field_ok.values())
    return {
        "labels": count,
        "level": level,
        "field_accuracy": round(ok / total, 4) if total else None,
        "labels_all_fields_exact": round(labels_all_exact / count, 4) if count else None,
        "serving_size_accuracy": round(serving_ok / count, 4) if count else None,
        "per_field": {k: round(per_field_ok[k] / per_field[k], 3) for k in per_field},
        "per_format": {k: round(per_format_ok[k] / per_format[k], 3) for k in per_format},
        "ocr_time": percentiles(times) if times else None,
        "failures": failures,
    }


def evaluate_no_label(*, count: int, progress: Callable[[Iterable], Iterable] = iter) -> dict:
    """Product photos without a label: the OCR must say so instead of inventing numbers."""
    clear = timeouts = 0
    for seed in progress(range(count)):
        case = ["scene", "studio_white", "text_overlay"][seed % 3]
        decoded = decode_image(data=_jpeg(render_product(case, seed=seed)), source="upload", max_side=OCR_SIDE)
        try:
            out = read_nutrition_label(rgb=decoded.rgb)
        except OcrUnavailable:
            timeouts += 1
            continue
        clear += int(out["nutrition_facts"] == {} and not out["label_found"])
    return {"photos": count, "answered_no_label": round(clear / count, 3) if count else None, "timeouts": timeouts}


def evaluate_products(*, seeds: int, progress: Callable[[Iterable], Iterable] = iter) -> dict:
    """Agreement of each check with the known verdict of generated product photos."""
    agree: Counter = Counter()
    total: Counter = Counter()
    disagreements: list[dict] = []
    for case, seed in progress([(c, s) for c in sorted(CASES) for s in range(100, 100 + seeds)]):
        decoded = decode_image(data=_jpeg(render_product(case, seed=seed)), source="upload", max_side=VALIDATE_SIDE)
        result = validate_image(image=WorkingImage(decoded.rgb, decoded.width, decoded.height))
        for check, expected in CASES[case].expect.items():
            got = result["checks"][check]["passed"]
            total[check] += 1
            agree[check] += int(got is expected)
            if got is not expected:
                disagreements.append({"case": case, "seed": seed, "check": check, "expected": expected})
    n, ok = sum(total.values()), sum(agree.values())
    return {
        "images": len(CASES) * seeds,
        "agreement": round(ok / n, 4) if n else None,
        "per_check": {k: round(agree[k] / total[k], 3) for k in total},
        "disagreements": disagreements,
    }


def twelve_megapixel_jpeg(seed: int = 0) -> bytes:
    """A 4000×3000 product photo (what a phone takes)."""
    img = render_product("studio_white", seed=seed, size=(1600, 1200)).resize((4000, 3000), Image.Resampling.BICUBIC)
    arr = np.asarray(img).astype(np.int16) + np.random.default_rng(seed).normal(0, 2, (3000, 4000, 3)).astype(np.int16)
    return _jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), 90)
