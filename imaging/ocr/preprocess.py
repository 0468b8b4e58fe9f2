"""Making a phone photo of a label readable for Tesseract.

1. perspective: the label's outline (largest convex quadrilateral of strong edges) is warped
   to a rectangle;
2. deskew: the angle (±10°) that makes the rows of ink line up best (projection profile);
   a 4° tilt alone gives plain Tesseract no correct field;
3. lighting: the page is divided by its own background (a large closing), which removes
   uneven light and colour casts, then contrast is stretched;
4. scale: text is resized so its median glyph height is about ``TARGET_GLYPH`` px;
5. rules: long table lines are erased (Tesseract reads them as dashes or merges rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

TARGET_GLYPH = 34
MAX_SKEW = 10.0
MAX_PIXELS = 4_000_000  # of the page handed to Tesseract


@dataclass
class Prepared:
    image: np.ndarray  # uint8 gray, ready for Tesseract
    steps: dict = field(default_factory=dict)


def _order_corners(pts: np.ndarray) -> np.ndarray:
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def find_label_quad(gray: np.ndarray) -> np.ndarray | None:
    """The four corners of the label's outline, or None when no clear outline is seen."""
    h, w = gray.shape
    f = 800 / max(h, w)
    small = cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray
    f = min(f, 1.0)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area_min = 0.15 * small.shape[0] * small.shape[1]
    best = None
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        if cv2.contourArea(c) < area_min:
            break
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(approx) == 4:
            best = approx.reshape(4, 2).astype(np.float32) / f
            break
    if best is None:
        return None
    quad = _order_corners(best)
    # an outline touching the frame is the photo's edge, not the label's
    if (quad[:, 0] < 2).all() or (quad[:, 1] < 2).all():
        return None
    return quad


def warp_quad(gray: np.ndarray, quad: np.ndarray) -> np.ndarray:
    tl, tr, br, bl = quad
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    m = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(gray, m, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _ink(gray: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def estimate_skew(gray: np.ndarray) -> float:
    """Degrees to rotate (counter-clockwise positive) so that text rows are horizontal."""
    h, w = gray.shape
    f = min(1.0, 900 / max(h, w))
    small = cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    ink = _ink(small)
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return float(max(fine, key=score))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def normalise_light(gray: np.ndarray) -> np.ndarray:
    k = max(15, (min(gray.shape) // 20) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    norm = cv2.divide(gray, background, scale=255)
    lo, hi = np.percentile(norm, [1, 99.5])
    if hi - lo < 10:
        return norm
    return np.clip((norm.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def glyph_height(gray: np.ndarray) -> float | None:
    """Median height of character-sized blobs of ink."""
    ink = _ink(gray)
    _n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    ok = (hs >= 6) & (hs <= gray.shape[0] / 8) & (ws <= hs * 3) & (ws >= 2)
    if ok.sum() < 10:
        return None
    return float(np.median(hs[ok]))


def erase_rules(gray: np.ndarray) -> np.ndarray:
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 6), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(40, h // 6))))
    lines = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    out = gray.copy()
    out[lines > 0] = 255
    return out


def prepare_label(rgb: np.ndarray) -> Prepared:
    """All the steps above; ``steps`` records what was done (shown in the API's ``preprocessing``)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    steps: dict = {}
    quad = find_label_quad(gray)
    if quad is not None:
        gray = warp_quad(gray, quad)
        steps["perspective"] = True
    else:
        steps["perspective"] = False
    angle = estimate_skew(gray)
    if abs(angle) >= 0.2:
        gray = rotate(gray, angle)
    steps["deskew_degrees"] = round(angle, 1)
    gray = normalise_light(gray)
    gh = glyph_height(gray)
    factor = float(np.clip(TARGET_GLYPH / gh, 0.5, 3.5)) if gh else 1.0
    # Tesseract's time grows with the area: a photo that is not a label (tiny "glyphs" of
    # texture) must not become a 30-megapixel page
    factor = min(factor, (MAX_PIXELS / (gray.shape[0] * gray.shape[1])) ** 0.5)
    if abs(factor - 1.0) > 0.1:
        interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interp)
    steps["scale"] = round(factor, 2)
    gray = erase_rules(gray)
    pad = 20
    gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return Prepared(image=gray, steps=steps)
