"""Finding the product in a photo: background model from the border, foreground mask, separate
objects, text lines laid over the picture. Everything here is measured on the pixels; nothing is
labelled that was not found.

* Uniform border (a studio shot, typically white): foreground = pixels whose CIELAB distance
  from the border's median colour exceeds ``BG_DISTANCE``; holes filled, specks removed.
* Busy border (a scene): OpenCV GrabCut on a ≤ 320 px copy, started from the frame minus a 5 %
  margin, so the product area is still measured rather than assumed to be the whole frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

BG_DISTANCE = 22.0  # CIELAB distance (OpenCV 8-bit units) that separates product from background
UNIFORM_BORDER = 0.8  # share of border pixels near the median colour for a "uniform" background
MIN_OBJECT_AREA = 0.01  # of the frame: smaller foreground blobs are specks or text, not objects
GRABCUT_SIDE = 320


@dataclass
class TextLine:
    box: tuple[int, int, int, int]  # x, y, w, h in working pixels


@dataclass
class Segmentation:
    """The product mask on the working image and what was measured from it."""

    mask: np.ndarray  # bool, H×W
    method: str  # "background_color" | "grabcut"
    border_uniform_share: float
    white_border_share: float
    background_level: float  # mean luminance (0–1) of the background-coloured border pixels
    objects: list[tuple[int, int, int, int, int]] = field(default_factory=list)  # x, y, w, h, area
    text_lines: list[TextLine] = field(default_factory=list)
    overlay_lines: list[TextLine] = field(default_factory=list)
    boundary_agreement: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.objects)

    def union_box(self) -> tuple[int, int, int, int] | None:
        if not self.objects:
            return None
        x0 = min(o[0] for o in self.objects)
        y0 = min(o[1] for o in self.objects)
        x1 = max(o[0] + o[2] for o in self.objects)
        y1 = max(o[1] + o[3] for o in self.objects)
        return x0, y0, x1 - x0, y1 - y0


def _border(arr: np.ndarray, b: int) -> np.ndarray:
    return np.concatenate(
        [arr[:b].reshape(-1, *arr.shape[2:]), arr[-b:].reshape(-1, *arr.shape[2:]),
         arr[b:-b, :b].reshape(-1, *arr.shape[2:]), arr[b:-b, -b:].reshape(-1, *arr.shape[2:])]
    )  # fmt: skip


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    inv = (~mask).astype(np.uint8)
    padded = np.pad(inv, 1, constant_values=1)
    flood = padded.copy()
    cv2.floodFill(flood, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 2)
    background = flood[1:-1, 1:-1] == 2
    return ~background


def _grabcut_mask(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    f = min(1.0, GRABCUT_SIDE / max(h, w))
    small = cv2.resize(rgb, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    mask = np.zeros((sh, sw), np.uint8)
    rect = (round(sw * 0.05), round(sh * 0.05), round(sw * 0.9), round(sh * 0.9))
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, rect, bgd, fgd, 3, cv2.GC_INIT_WITH_RECT)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    return cv2.resize(fg, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)


def detect_text_lines(gray: np.ndarray) -> list[TextLine]:
    """Lines of text (printed or overlaid): dense runs of small strokes closed horizontally."""
    h, w = gray.shape
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    _, bw = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # strokes must be real contrast, not JPEG noise on a flat background
    bw[grad < 40] = 0
    closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (max(9, w // 60), 1)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    lines: list[TextLine] = []
    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        if not (0.012 * h <= ch <= 0.1 * h) or cw < 2.5 * ch or cw < 0.04 * w:
            continue
        roi = bw[y : y + ch, x : x + cw]
        density = float(np.count_nonzero(roi)) / (cw * ch)
        # a line of glyphs has many vertical stroke transitions along its middle row band
        band = roi[ch // 4 : max(ch // 4 + 1, 3 * ch // 4)] > 0
        transitions = float(np.mean(np.abs(np.diff(band.astype(np.int8), axis=1)).sum(axis=1))) / max(cw, 1)
        if 0.2 <= density <= 0.9 and transitions * ch >= 0.8:
            lines.append(TextLine((x, y, cw, ch)))
    return lines


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Share of ``a``'s area inside ``b``."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy / max(aw * ah, 1)


def segment_product(rgb: np.ndarray) -> Segmentation:
    """Segment the product(s) of an RGB working image."""
    h, w = rgb.shape[:2]
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    b = max(2, round(0.03 * min(h, w)))
    border = _border(lab, b)
    bg = np.median(border, axis=0)
    border_dist = np.linalg.norm(border - bg, axis=1)
    near = border_dist < BG_DISTANCE
    uniform_share = float(near.mean())
    rgb_border = _border(rgb, b).astype(np.int16)
    whiteish = (rgb_border.min(axis=1) >= 235) & ((rgb_border.max(axis=1) - rgb_border.min(axis=1)) <= 20)
    white_share = float(whiteish.mean())
    background_level = float(border[near, 0].mean() / 255.0) if near.any() else float(border[:, 0].mean() / 255.0)

    if uniform_share >= UNIFORM_BORDER:
        method = "background_color"
        dist = np.linalg.norm(lab - bg, axis=2)
        mask = dist > BG_DISTANCE
    else:
        method = "grabcut"
        mask = _grabcut_mask(rgb)
    k = max(3, (round(0.01 * min(h, w)) | 1))
    m8 = mask.astype(np.uint8)
    m8 = cv2.morphologyEx(m8, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    m8 = cv2.morphologyEx(m8, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    mask = _fill_holes(m8.astype(bool))

    text_lines = detect_text_lines(gray)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    objects: list[tuple[int, int, int, int, int]] = []
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, cw, ch, area = (int(v) for v in stats[i])
        if area < MIN_OBJECT_AREA * h * w:
            continue
        box = (x, y, cw, ch)
        # a blob that is only a line of text (a caption on the margin) is not a product
        if any(_overlap(box, t.box) > 0.7 for t in _grow(text_lines, 0.01 * h)):
            continue
        objects.append((x, y, cw, ch, area))
        keep[i] = True
    objects.sort(key=lambda o: -o[4])
    product_mask = keep[labels]
    seg = Segmentation(
        mask=product_mask,
        method=method,
        border_uniform_share=uniform_share,
        white_border_share=white_share,
        background_level=background_level,
        objects=objects,
        text_lines=text_lines,
    )
    # text over or beside the product (a caption, a watermark strip) rather than printed inside it
    boxes = [o[:4] for o in objects]
    seg.overlay_lines = [t for t in text_lines if not any(_overlap(t.box, o) > 0.9 for o in boxes)]
    seg.boundary_agreement = _boundary_agreement(gray, product_mask)
    return seg


def _grow(lines: list[TextLine], pad: float) -> list[TextLine]:
    p = round(pad)
    return [TextLine((x - p, y - p, w + 2 * p, h + 2 * p)) for x, y, w, h in (t.box for t in lines)]


def _boundary_agreement(gray: np.ndarray, mask: np.ndarray) -> float:
    """Share of the mask's outline that lies on a real image edge (within 2 px)."""
    if not mask.any():
        return 0.0
    m8 = mask.astype(np.uint8)
    outline = cv2.morphologyEx(m8, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    # the frame's own edge is not a product edge
    outline[:2, :] = outline[-2:, :] = False
    outline[:, :2] = outline[:, -2:] = False
    if not outline.any():
        return 0.0
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy)
    strong = cv2.dilate((mag > 60).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return float(strong[outline].mean())
