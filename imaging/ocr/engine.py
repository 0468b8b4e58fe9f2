"""Tesseract, bounded: at most ``IMAGING_OCR_MAX_CONCURRENCY`` processes per worker process,
each killed after ``IMAGING_OCR_TIMEOUT_SECONDS``, one OpenMP thread each (on 2 cores,
Tesseract's own threads only fight each other)."""

from __future__ import annotations

import os
import threading
import time

import cv2
import numpy as np
import pytesseract
from django.conf import settings

from imaging.errors import OcrUnavailable

from .parse import Line, ParsedLabel, Word, line_fields, parse_label
from .preprocess import Prepared, prepare_label

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LANG = "kor+eng"
MIN_REREAD_SECONDS = 1.5
CONFIG = "--oem 1 --psm 6"

_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _semaphore() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    size = max(1, int(settings.IMAGING_OCR_MAX_CONCURRENCY))
    with _slots_lock:
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


def run_tesseract(
    image: np.ndarray, *, lang: str = LANG, config: str = CONFIG, timeout: float | None = None
) -> list[Line]:
    """Tesseract's words grouped into lines, within the slot and time limits."""
    limit = float(settings.IMAGING_OCR_TIMEOUT_SECONDS) if timeout is None else timeout
    slots = _semaphore()
    if not slots.acquire(timeout=float(settings.IMAGING_OCR_QUEUE_SECONDS)):
        raise OcrUnavailable("OCR 요청이 많아 처리하지 못했습니다. 잠시 후 다시 시도해주세요")
    try:
        data = pytesseract.image_to_data(
            image, lang=lang, config=config, timeout=limit,
            output_type=pytesseract.Output.DICT,
        )  # fmt: skip
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrUnavailable("OCR 처리 시간이 초과되었습니다. 영양성분표만 가까이 촬영해주세요") from exc
    finally:
        slots.release()
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        lines.setdefault(key, []).append(Word(text, conf, box))
    ordered = [Line(words) for _, words in sorted(lines.items())]
    ordered.sort(key=lambda line: min(w.box[1] for w in line.words))  # type: ignore[index]
    return ordered


def _crop(image: np.ndarray, box: tuple[int, int, int, int], pad: float = 0.35) -> np.ndarray:
    x, y, w, h = box
    p = max(4, round(h * pad))
    crop = image[max(0, y - p) : y + h + p, max(0, x - p) : x + w + p]
    return cv2.copyMakeBorder(crop, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)


def _remaining(deadline: float) -> float | None:
    """Seconds left for an optional re-read, or None when there is no time for one."""
    left = deadline - time.monotonic()
    return left if left >= MIN_REREAD_SECONDS else None


def _reread_names(image: np.ndarray, lines: list[Line], deadline: float) -> None:
    """Re-read with Korean only the first word of rows whose name did not read as Hangul
    (``나트륨`` → ``LIES`` under kor+eng) but that carry a value."""
    for line in lines:
        if line_fields(line) or not any(ch.isdigit() for ch in line.text):
            continue
        first = line.words[0]
        if first.box is None or any(ch.isdigit() for ch in first.text) or len(line.words) < 2:
            continue
        left = _remaining(deadline)
        if left is None:
            return
        reread = run_tesseract(_crop(image, first.box), lang="kor", config="--oem 1 --psm 7", timeout=left)
        text = "".join(w.text for ln in reread for w in ln.words)
        if text:
            line.words[0] = Word(text, min(first.conf, *(w.conf for ln in reread for w in ln.words)), first.box)


def _reread_header(image: np.ndarray, lines: list[Line], deadline: float) -> list[Line]:
    """The band above the first nutrient row (title, 총 내용량, kcal) read as sparse text:
    a big title beside small right-aligned text defeats the block layout."""
    rows = [ln for ln in lines if any(f != "calories" for f in line_fields(ln))]
    if not rows:
        return lines
    top = min(w.box[1] for w in rows[0].words if w.box)  # type: ignore[index]
    if top < 40:
        return lines
    left = _remaining(deadline)
    if left is None:
        return lines
    header = run_tesseract(image[:top], config="--oem 1 --psm 11", timeout=left)
    header.sort(key=lambda ln: (min(w.box[1] for w in ln.words) // 20, min(w.box[0] for w in ln.words)))  # type: ignore[index]
    body = [ln for ln in lines if min(w.box[1] for w in ln.words) >= top - 5]  # type: ignore[index]
    # keep the first pass's header lines too: sparse mode may miss what block mode saw
    above = [ln for ln in lines if ln not in body]
    return header + above + body


def read_nutrition_label(*, rgb: np.ndarray) -> dict:
    """The ``/images/ocr`` answer for one photo (see docs/imaging.md)."""
    started = time.monotonic()
    prepared = prepare_label(rgb)
    # the whole read, re-reads included, stays within one Tesseract time limit (+ preprocessing)
    deadline = time.monotonic() + float(settings.IMAGING_OCR_TIMEOUT_SECONDS)
    if not prepared.steps.get("perspective"):
        is_label, quick = _looks_like_a_label(prepared.image, deadline)
        if not is_label:
            # no label outline and no label words in a quick small read: a clear "no label"
            # answer instead of a long read of a cluttered photo
            prepared.steps["gate"] = "no_label_words"
            return _answer(lines=quick, parsed=parse_label([]), prepared=prepared, started=started)
    lines = run_tesseract(prepared.image)
    _reread_names(prepared.image, lines, deadline)
    lines = _reread_header(prepared.image, lines, deadline)
    parsed = parse_label(lines)
    return _answer(lines=lines, parsed=parsed, prepared=prepared, started=started)


GATE_PIXELS = 600_000
LABEL_WORDS = ("영양", "나트", "탄수", "단백", "지방", "열량", "당류", "kcal", "내용량", "제공량")


def _looks_like_a_label(image: np.ndarray, deadline: float) -> tuple[bool, list[Line]]:
    """A quick read of a ≤ 0.6 MP copy: does any nutrition-label word appear at all?"""
    h, w = image.shape[:2]
    f = min(1.0, (GATE_PIXELS / (h * w)) ** 0.5)
    small = cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    left = _remaining(deadline)
    if left is None:
        return True, []
    lines = run_tesseract(small, timeout=left)
    text = "".join(w.text for ln in lines for w in ln.words)
    return any(word in text for word in LABEL_WORDS), lines


def _answer(*, lines: list[Line], parsed: ParsedLabel, prepared: Prepared, started: float) -> dict:
    core = ["calories", "sodium", "carbohydrates", "protein", "fat"]
    confidence = sum(parsed.field_confidence.get(f, 0.0) for f in core) / len(core) if parsed.facts else 0.0
    facts = dict(parsed.facts)
    if parsed.serving_size:
        facts["serving_size"] = parsed.serving_size
    return {
        "text": "\n".join(line.text for line in lines),
        "nutrition_facts": facts,
        "confidence": round(confidence, 2),
        "label_found": bool(parsed.facts),
        "label_format": parsed.label_format,
        "basis": parsed.basis,
        "field_confidence": parsed.field_confidence,
        "warnings": parsed.warnings,
        "checks": parsed.checks,
        "preprocessing": prepared.steps,
        "elapsed_ms": round((time.monotonic() - started) * 1000),
    }
