"""Synthetic product photos with a known verdict, for tests and ``evaluate_imaging``.

A package (box, pouch or bottle) with a printed label, shading and a soft shadow, drawn with
Pillow, then photographed in one of the ``CASES``. Each case says which checks must pass.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/nanum/"
PALETTE = [(200, 40, 40), (30, 110, 60), (240, 170, 30), (40, 70, 160), (120, 60, 30), (20, 20, 20), (230, 230, 225)]
NAMES = ["김치", "고추장", "참기름", "된장", "김부각", "유자차", "떡볶이", "홍삼정"]


@dataclass(frozen=True)
class ProductCase:
    """One kind of photo and the checks it must pass (True) or fail (False)."""

    name: str
    expect: dict[str, bool]


CASES: dict[str, ProductCase] = {
    c.name: c
    for c in [
        ProductCase("studio_white", {"resolution": True, "brightness": True, "blur": True, "content": True}),
        ProductCase("gaussian_blur", {"resolution": True, "brightness": True, "blur": False, "content": True}),
        ProductCase("motion_blur", {"resolution": True, "brightness": True, "blur": False}),
        ProductCase("dark", {"resolution": True, "brightness": False}),
        ProductCase("overexposed", {"resolution": True, "brightness": False}),
        ProductCase("small", {"resolution": False, "brightness": True, "blur": True}),
        ProductCase("scene", {"resolution": True, "blur": True, "content": False}),
        ProductCase("text_overlay", {"resolution": True, "brightness": True, "blur": True, "content": False}),
        ProductCase("off_centre", {"resolution": True, "brightness": True, "blur": True, "content": False}),
        ProductCase("tiny_product", {"resolution": True, "content": False}),
    ]
}


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_DIR + ("NanumGothicBold.ttf" if bold else "NanumGothic.ttf"), size)


def _package(rng: random.Random, w: int, h: int) -> Image.Image:
    """An RGBA package of about w×h with a label, shading and highlights."""
    color = rng.choice(PALETTE)
    kind = rng.choice(["box", "pouch", "bottle"])
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if kind == "bottle":
        neck = w // 3
        d.rounded_rectangle((w // 2 - neck // 2, 0, w // 2 + neck // 2, h // 4), radius=neck // 5, fill=(*color, 255))
        d.rounded_rectangle((0, h // 5, w, h), radius=w // 6, fill=(*color, 255))
    elif kind == "pouch":
        d.rounded_rectangle((0, 0, w, h), radius=w // 12, fill=(*color, 255))
        d.rectangle((0, 0, w, h // 14), fill=(*[max(0, c - 40) for c in color], 255))
    else:
        d.rectangle((0, 0, w, h), fill=(*color, 255))
    # label panel and text
    lx0, ly0, lx1, ly1 = w // 8, h * 2 // 5, w * 7 // 8, h * 4 // 5
    d.rounded_rectangle((lx0, ly0, lx1, ly1), radius=w // 20, fill=(250, 245, 230, 255))
    name = rng.choice(NAMES)
    fs = max(12, (lx1 - lx0) // (len(name) + 1))
    d.text(((lx0 + lx1) // 2, (ly0 + ly1) // 2 - fs // 3), name, font=_font(fs), fill=(30, 30, 30, 255), anchor="mm")
    d.text(
        ((lx0 + lx1) // 2, ly1 - fs // 2),
        "국내산 · 500g",
        font=_font(max(10, fs // 3), False),
        fill=(60, 60, 60, 255),
        anchor="mm",
    )
    # vertical shading: a cylinder/box lit from the left
    arr = np.asarray(img).astype(np.float32)
    xs = np.linspace(-1, 1, w)[None, :, None]
    shade = 1.0 - 0.28 * (xs + 1) / 2 + 0.12 * np.exp(-((xs + 0.5) ** 2) / 0.02)
    arr[..., :3] = np.clip(arr[..., :3] * shade, 0, 255)
    return Image.fromarray(arr.astype(np.uint8), "RGBA")


def _scene_background(rng: random.Random, w: int, h: int) -> Image.Image:
    """A table top and wall: gradients, wood grain, clutter."""
    base = np.zeros((h, w, 3), np.float32)
    top, bottom = np.array(rng.choice([(160, 120, 80), (90, 100, 110), (170, 150, 130)])), np.array((70, 50, 35))
    t = np.linspace(0, 1, h)[:, None, None]
    base[:] = top * (1 - t) + bottom * t
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    grain = cv2.GaussianBlur(nrng.normal(0, 30, (h, w)).astype(np.float32), (0, 0), sigmaX=25, sigmaY=2)
    base += grain[..., None]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(8):
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(w // 20, w // 6)
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(30, 230) for _ in range(3)))
    return img


def render_product(case: str, *, seed: int = 0, size: tuple[int, int] = (1200, 1200)) -> Image.Image:
    """A product photo for ``case`` (see ``CASES``), deterministic for a seed."""
    rng = random.Random(f"{case}:{seed}")
    w, h = size
    if case == "small":
        w, h = 560, 560
    frac = {"tiny_product": 0.25}.get(case, rng.uniform(0.62, 0.8))
    pw, ph = int(w * frac * rng.uniform(0.55, 0.75)), int(h * frac)
    canvas = _scene_background(rng, w, h) if case == "scene" else Image.new("RGB", (w, h), (255, 255, 255))
    pkg = _package(rng, pw, ph)
    cx, cy = w // 2 + rng.randint(-w // 50, w // 50), h // 2 + rng.randint(-h // 50, h // 50)
    if case == "off_centre":
        cx = int(w * 0.28)
        cy = int(h * 0.38)
    x0, y0 = cx - pw // 2, cy - ph // 2
    # soft contact shadow
    shadow = Image.new("L", (w, h), 0)
    ImageDraw.Draw(shadow).ellipse((x0 + pw // 10, y0 + ph - ph // 30, x0 + pw - pw // 10, y0 + ph + ph // 25), fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(w // 80))
    canvas = Image.composite(Image.new("RGB", (w, h), (150, 150, 150)), canvas, shadow)
    canvas.paste(pkg, (x0, y0), pkg)
    if case == "text_overlay":
        d = ImageDraw.Draw(canvas)
        fs = h // 18
        d.text((w // 2, int(h * 0.06)), "무료배송 50% 할인 이벤트", font=_font(fs), fill=(220, 30, 30), anchor="mm")
        d.text(
            (w // 2, int(h * 0.95)), "www.kfood-shop.kr 특가", font=_font(fs * 2 // 3), fill=(80, 80, 80), anchor="mm"
        )
    arr = np.asarray(canvas).astype(np.float32)
    if case == "gaussian_blur":
        arr = cv2.GaussianBlur(arr, (0, 0), sigmaX=w / 300 * rng.uniform(1.6, 2.6))
    elif case == "motion_blur":
        k = max(9, int(w / 40))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        angle = rng.uniform(0, 180)
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), angle, 1.0)
        kernel = cv2.warpAffine(kernel, rot, (k, k))
        arr = cv2.filter2D(arr, -1, kernel / kernel.sum())
    elif case == "dark":
        arr = 255.0 * (arr / 255.0) ** 1.0 * rng.uniform(0.18, 0.3)
    elif case == "overexposed":
        arr = arr * rng.uniform(2.2, 3.0) + 40
    nrng = np.random.default_rng(seed)
    arr = arr + nrng.normal(0, 2.0, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
