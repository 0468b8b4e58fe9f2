"""The four measured checks of ``POST /images/validate`` and the quality score.

Thresholds and weights are constants here and documented in docs/imaging.md.

* resolution — the shorter side against ``IMAGING_MIN_RESOLUTION`` (default 800).
* brightness — exposure **of the product** (the segmented foreground, not the frame): mean
  luminance in ``BRIGHTNESS_RANGE``, clipped highlights/shadows of the product at most
  ``MAX_CLIPPED``, and the frame's white point (99th percentile) at least ``MIN_WHITE_POINT``.
  A product on pure white is judged on the product, so it passes when it is well lit.
* blur — the no-reference blur measure of Crete et al. (2007) on the product's box, reduced
  to at most ``BLUR_SIDE`` px (so the image size does not change the answer), plain background
  contributes nothing to it. ``score = clip((BLUR_AT - B) / (BLUR_AT - SHARP_AT), 0, 1)``.
* content — white share of the border, product fill and centring, text over the picture,
  separate objects; ``confidence`` is the share of the product outline that lies on a real
  image edge (how well the detection is supported by the pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from django.conf import settings

from .segment import Segmentation, segment_product

ALL_CHECKS = ("resolution", "brightness", "blur", "content")
BRIGHTNESS_RANGE = (0.2, 0.85)
MAX_CLIPPED = 0.2
MIN_WHITE_POINT = 0.6
CLIP_HIGH, CLIP_LOW = 0.98, 0.02
BLUR_SIDE = 512
BLUR_WINDOW = 11
EDGE_MIN = 8.0  # grey levels between neighbours that count as an edge
MIN_EDGE_SHARE = 0.001
SHARP_AT, BLUR_AT = 0.30, 0.60  # Crete blur values mapped to score 1 and 0 (calibration: docs)
BLUR_THRESHOLD = 0.5
WHITE_BORDER_MIN = 0.85
FILL_RANGE = (0.5, 0.98)
MAX_CENTRE_OFFSET = 0.12
WEIGHTS = {"resolution": 0.2, "brightness": 0.25, "blur": 0.3, "content": 0.25}

RECOMMENDATIONS = {
    "resolution": "이미지 해상도를 짧은 변 기준 {min}px 이상으로 올려주세요",
    "underexposed": "상품이 너무 어둡게 촬영되었습니다. 조명을 밝게 하거나 노출을 올려주세요",
    "overexposed": "상품이 너무 밝게(과노출) 촬영되었습니다. 노출을 낮춰주세요",
    "clipped_highlights": "상품의 밝은 부분이 하얗게 날아갔습니다. 노출을 낮추거나 반사를 줄여주세요",
    "clipped_shadows": "상품의 어두운 부분이 검게 뭉개졌습니다. 보조광을 사용해주세요",
    "blur": "상품이 흐릿합니다. 초점을 맞추고 흔들림 없이 다시 촬영해주세요",
    "no_product": "이미지에서 상품을 찾지 못했습니다",
    "background": "대표 이미지는 흰색 배경에서 촬영해주세요",
    "too_small": "상품이 화면에 비해 너무 작습니다. 상품이 화면의 50% 이상을 차지하도록 해주세요",
    "cropped": "상품이 화면 가장자리에서 잘렸습니다. 여백을 두고 촬영해주세요",
    "off_centre": "상품을 화면 중앙에 배치해주세요",
    "text_overlay": "이미지 위에 덧붙인 문구나 워터마크를 제거해주세요",
}


@dataclass(frozen=True)
class WorkingImage:
    rgb: np.ndarray  # working copy (≤ 1024 px)
    width: int  # original size
    height: int


def check_resolution(*, width: int, height: int) -> dict:
    minimum = int(settings.IMAGING_MIN_RESOLUTION)
    return {
        "passed": min(width, height) >= minimum,
        "width": width,
        "height": height,
        "min_required": minimum,
        "score": round(min(1.0, min(width, height) / minimum), 3),
    }


def check_brightness(*, gray: np.ndarray, seg: Segmentation) -> dict:
    y = gray.astype(np.float32) / 255.0
    product = y[seg.mask] if seg.found else y.ravel()
    level = float(product.mean())
    high = float((product >= CLIP_HIGH).mean())
    low = float((product <= CLIP_LOW).mean())
    white_point = float(np.percentile(y, 99))
    problems = []
    if level < BRIGHTNESS_RANGE[0] or white_point < MIN_WHITE_POINT:
        problems.append("underexposed")
    if level > BRIGHTNESS_RANGE[1]:
        problems.append("overexposed")
    if high > MAX_CLIPPED:
        problems.append("clipped_highlights")
    if low > MAX_CLIPPED:
        problems.append("clipped_shadows")
    lo, hi = BRIGHTNESS_RANGE
    distance = max(0.0, lo - level, level - hi) + max(0.0, MIN_WHITE_POINT - white_point)
    score = max(0.0, 1.0 - distance / 0.2) * (1.0 - max(0.0, max(high, low) - MAX_CLIPPED))
    return {
        "passed": not problems,
        "level": round(level, 3),
        "optimal_range": list(BRIGHTNESS_RANGE),
        "measured_on": "product" if seg.found else "frame",
        "frame_level": round(float(y.mean()), 3),
        "white_point": round(white_point, 3),
        "clipped_highlights": round(high, 3),
        "clipped_shadows": round(low, 3),
        "problems": problems,
        "score": round(score, 3),
    }


def crete_blur(gray: np.ndarray) -> float:
    """Crete et al. 2007 no-reference blur, 0 sharp … 1 blurred (the worse direction counts).

    Counted only where neighbouring pixels differ by at least ``EDGE_MIN`` grey levels: smooth
    shading and flat background would otherwise read as "blurred" and make the value depend on
    how much of the crop is plain, and sensor noise would read as "sharp".
    """
    f = gray.astype(np.float32)
    values = []
    for axis in (0, 1):
        ksize = (BLUR_WINDOW, 1) if axis == 1 else (1, BLUR_WINDOW)  # cv2 ksize is (width, height)
        blurred = cv2.blur(f, ksize, borderType=cv2.BORDER_REFLECT)
        d_f = np.abs(np.diff(f, axis=axis))
        d_b = np.abs(np.diff(blurred, axis=axis))
        edges = d_f >= EDGE_MIN
        if edges.sum() < MIN_EDGE_SHARE * f.size:
            values.append(1.0)  # no edges at all: nothing sharp to see
            continue
        total = float(d_f[edges].sum())
        kept = float(np.maximum(0.0, d_f[edges] - d_b[edges]).sum())
        values.append((total - kept) / total)
    return max(values)


def check_blur(*, gray: np.ndarray, seg: Segmentation) -> dict:
    h, w = gray.shape
    box = seg.union_box() if seg.found else (0, 0, w, h)
    x, y, bw, bh = box
    pad = round(0.05 * max(bw, bh))
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(w, x + bw + pad), min(h, y + bh + pad)
    crop = gray[y0:y1, x0:x1]
    f = min(1.0, BLUR_SIDE / max(crop.shape))
    if f < 1.0:
        crop = cv2.resize(
            crop, (max(8, round(crop.shape[1] * f)), max(8, round(crop.shape[0] * f))), interpolation=cv2.INTER_AREA
        )
    b = crete_blur(crop)
    score = float(np.clip((BLUR_AT - b) / (BLUR_AT - SHARP_AT), 0.0, 1.0))
    return {
        "passed": score >= BLUR_THRESHOLD,
        "score": round(score, 3),
        "threshold": BLUR_THRESHOLD,
        "blur_measure": round(b, 3),
        "measured_on": "product" if seg.found else "frame",
    }


def check_content(*, seg: Segmentation, shape: tuple[int, int]) -> dict:
    h, w = shape
    problems: list[str] = []
    fill = offset = area_ratio = 0.0
    objects = []
    if not seg.found:
        problems.append("no_product")
    else:
        x, y, bw, bh = seg.union_box()  # type: ignore[misc]
        fill = max(bw / w, bh / h)
        area_ratio = float(seg.mask.mean())
        offset = max(abs((x + bw / 2) / w - 0.5), abs((y + bh / 2) / h - 0.5))
        if fill < FILL_RANGE[0]:
            problems.append("too_small")
        touches = x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1
        if fill > FILL_RANGE[1] or touches:
            problems.append("cropped")
        if offset > MAX_CENTRE_OFFSET:
            problems.append("off_centre")
        for ox, oy, ow, oh, area in seg.objects:
            objects.append(
                {
                    "label": "product",
                    "box": [round(ox / w, 3), round(oy / h, 3), round(ow / w, 3), round(oh / h, 3)],
                    "area_ratio": round(area / (w * h), 3),
                }
            )
    if seg.white_border_share < WHITE_BORDER_MIN:
        problems.append("background")
    if seg.overlay_lines:
        problems.append("text_overlay")
    for t in seg.overlay_lines:
        tx, ty, tw, th = t.box
        objects.append(
            {"label": "text_overlay", "box": [round(tx / w, 3), round(ty / h, 3), round(tw / w, 3), round(th / h, 3)]}
        )
    subchecks = 6
    return {
        "passed": not problems,
        "detected_objects": [o["label"] for o in objects],
        "confidence": round(seg.boundary_agreement, 3),
        "objects": objects,
        "object_count": len(seg.objects),
        "white_background_share": round(seg.white_border_share, 3),
        "background_level": round(seg.background_level, 3),
        "fill_ratio": round(fill, 3),
        "area_ratio": round(area_ratio, 3),
        "centre_offset": round(offset, 3),
        "text_overlay": bool(seg.overlay_lines),
        "segmentation": seg.method,
        "problems": problems,
        "score": round(1.0 - len(set(problems)) / subchecks, 3),
    }


def validate_image(*, image: WorkingImage, checks: tuple[str, ...] = ALL_CHECKS) -> dict:
    """Run the requested checks on one image; the seed's response shape plus measured details."""
    gray = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2GRAY)
    seg = segment_product(image.rgb) if set(checks) & {"brightness", "blur", "content"} else None
    results: dict[str, dict] = {}
    recommendations: list[str] = []
    if "resolution" in checks:
        results["resolution"] = check_resolution(width=image.width, height=image.height)
        if not results["resolution"]["passed"]:
            recommendations.append(RECOMMENDATIONS["resolution"].format(min=results["resolution"]["min_required"]))
    if "brightness" in checks:
        results["brightness"] = check_brightness(gray=gray, seg=seg)
        recommendations += [RECOMMENDATIONS[p] for p in results["brightness"]["problems"]]
    if "blur" in checks:
        results["blur"] = check_blur(gray=gray, seg=seg)
        if not results["blur"]["passed"]:
            recommendations.append(RECOMMENDATIONS["blur"])
    if "content" in checks:
        results["content"] = check_content(seg=seg, shape=gray.shape)
        recommendations += [RECOMMENDATIONS[p] for p in results["content"]["problems"]]
    weight = sum(WEIGHTS[c] for c in results)
    score = sum(WEIGHTS[c] * results[c]["score"] for c in results) / weight if weight else 0.0
    return {
        "is_valid": all(r["passed"] for r in results.values()),
        "quality_score": round(score, 2),
        "checks": results,
        "recommendations": list(dict.fromkeys(recommendations)),
    }
