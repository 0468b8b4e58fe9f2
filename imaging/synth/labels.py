"""Synthetic Korean nutrition-label photos with known values (tests and ``evaluate_imaging``).

Both formats are drawn with the Nanum fonts: the current one (``영양정보`` · 총 내용량 … kcal,
per pack or per 100 g, %-of-daily-value column) and the older one (``영양성분`` · 1회 제공량,
``%영양소 기준치``). The flat label is then "photographed": placed on a package, rotated,
warped in perspective, blurred, lit unevenly, noised and JPEG-compressed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/nanum/"
FONTS = [
    ("NanumGothic.ttf", "NanumGothicBold.ttf"),
    ("NanumBarunGothic.ttf", "NanumBarunGothicBold.ttf"),
    ("NanumSquareR.ttf", "NanumSquareB.ttf"),
]
# Korean daily values (식품 등의 표시기준, 2016-)
DAILY_VALUES = {
    "sodium": 2000,
    "carbohydrates": 324,
    "sugars": 100,
    "fat": 54,
    "saturated_fat": 15,
    "cholesterol": 300,
    "protein": 55,
}
KOREAN = {
    "calories": "열량",
    "sodium": "나트륨",
    "carbohydrates": "탄수화물",
    "sugars": "당류",
    "fat": "지방",
    "trans_fat": "트랜스지방",
    "saturated_fat": "포화지방",
    "cholesterol": "콜레스테롤",
    "protein": "단백질",
}
UNITS = {"calories": "kcal", "sodium": "mg", "cholesterol": "mg"}
NEW_ORDER = ["sodium", "carbohydrates", "sugars", "fat", "trans_fat", "saturated_fat", "cholesterol", "protein"]
OLD_ORDER = ["carbohydrates", "sugars", "protein", "fat", "saturated_fat", "trans_fat", "cholesterol", "sodium"]
SUB_ROWS = {"sugars", "trans_fat", "saturated_fat"}


@dataclass
class LabelSpec:
    """The values printed on one label."""

    format: str  # "new" | "old"
    facts: dict[str, float]
    serving: dict = field(default_factory=dict)
    per_100g: bool = False


def _fmt(v: float) -> str:
    return f"{v:g}"


def _round_sodium(v: float) -> int:
    return int(round(v / 5) * 5) if v <= 120 else int(round(v / 10) * 10)


def random_spec(rng: random.Random) -> LabelSpec:
    """Plausible values obeying the labelling rounding rules."""
    carbs = rng.randint(0, 80)
    sugars = rng.randint(0, max(0, carbs))
    protein = rng.randint(0, 30)
    fat = rng.choice([rng.randint(0, 40), round(rng.uniform(0, 5) * 2) / 2])
    sat = min(fat, rng.choice([rng.randint(0, 15), round(rng.uniform(0, 3) * 2) / 2]))
    trans = rng.choice([0, 0, 0, 0.5, round(rng.uniform(0, 1), 1)])
    trans = min(trans, fat)
    kcal_exact = 4 * carbs + 4 * protein + 9 * fat
    kcal = int(round(kcal_exact * rng.uniform(0.96, 1.04) / 5) * 5)
    facts = {
        "calories": kcal,
        "sodium": _round_sodium(rng.uniform(0, 1500)),
        "carbohydrates": carbs,
        "sugars": sugars,
        "fat": fat,
        "trans_fat": trans,
        "saturated_fat": sat,
        "cholesterol": rng.choice([0, 0, rng.randint(1, 60) * 5]),
        "protein": protein,
    }
    fmt = rng.choice(["new", "old"])
    total = rng.choice([30, 40, 55, 100, 120, 150, 200, 250, 300])
    if fmt == "new":
        per_100g = total > 100 and rng.random() < 0.4
        serving = {"value": 100 if per_100g else total, "unit": "g", "basis": "100g당" if per_100g else "총 내용량"}
        return LabelSpec("new", facts, {**serving, "total": total}, per_100g)
    return LabelSpec("old", facts, {"value": total, "unit": "g", "basis": "1회 제공량"})


def _dv(name: str, v: float) -> str | None:
    if name not in DAILY_VALUES:
        return None
    return f"{round(v / DAILY_VALUES[name] * 100)}%"


def render_label(spec: LabelSpec, *, rng: random.Random, width: int = 900) -> Image.Image:
    """The flat label (RGB)."""
    regular, bold = rng.choice(FONTS)
    fs = rng.randint(30, 38)
    f_reg = ImageFont.truetype(FONT_DIR + regular, fs)
    f_bold = ImageFont.truetype(FONT_DIR + bold, fs)
    f_title = ImageFont.truetype(FONT_DIR + bold, int(fs * 1.5))
    f_small = ImageFont.truetype(FONT_DIR + regular, int(fs * 0.62))
    ink = rng.choice([(0, 0, 0), (30, 30, 30), (40, 20, 10)])
    paper = rng.choice([(255, 255, 255), (250, 248, 240), (255, 252, 230), (245, 245, 245)])
    row_h = int(fs * 1.55)
    pad = int(fs * 0.8)
    order = NEW_ORDER if spec.format == "new" else OLD_ORDER
    height = pad * 2 + row_h * (len(order) + 5) + int(fs * 1.5)
    img = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(img)
    lw = max(2, fs // 12)
    d.rectangle((lw, lw, width - lw - 1, height - lw - 1), outline=ink, width=lw * 2)
    x0, x1 = pad, width - pad
    y = pad
    f = spec.facts
    if spec.format == "new":
        d.text((x0, y), "영양정보", font=f_title, fill=ink)
        total = spec.serving["total"]
        d.text((x1, y), f"총 내용량 {total}g", font=f_reg, fill=ink, anchor="ra")
        y += int(fs * 1.25)
        head = f"100g당 {_fmt(f['calories'])}kcal" if spec.per_100g else f"{_fmt(f['calories'])}kcal"
        d.text((x1, y), head, font=f_bold, fill=ink, anchor="ra")
        y += row_h + lw
        d.line((x0, y, x1, y), fill=ink, width=lw * 2)
        y += lw * 3
        d.text((x0, y), "100g당" if spec.per_100g else "총 내용량당", font=f_small, fill=ink)
        d.text((x1, y), "1일 영양성분 기준치에 대한 비율", font=f_small, fill=ink, anchor="ra")
        y += row_h
    else:
        d.text((x0, y), "영양성분", font=f_title, fill=ink)
        y += int(fs * 1.7)
        d.text((x0, y), f"1회 제공량 1봉지 ({spec.serving['value']}g)", font=f_reg, fill=ink)
        y += row_h
        d.line((x0, y, x1, y), fill=ink, width=lw * 2)
        y += lw * 3
        d.text((x0, y), "1회 제공량당 함량", font=f_small, fill=ink)
        d.text((x1, y), "*%영양소 기준치", font=f_small, fill=ink, anchor="ra")
        y += row_h
        d.text((x0, y), "열량", font=f_bold, fill=ink)
        d.text((x0 + int(fs * 2.6), y), f"{_fmt(f['calories'])}kcal", font=f_reg, fill=ink)
        y += row_h
    for name in order:
        d.line((x0, y - lw * 2, x1, y - lw * 2), fill=ink, width=lw)
        indent = int(fs * 1.0) if name in SUB_ROWS else 0
        label = KOREAN[name]
        font = f_reg if name in SUB_ROWS else f_bold
        d.text((x0 + indent, y), label, font=font, fill=ink)
        tw = d.textlength(label, font=font)
        unit = UNITS.get(name, "g")
        d.text((x0 + indent + tw + fs * 0.5, y), f"{_fmt(f[name])}{unit}", font=f_reg, fill=ink)
        dv = _dv(name, f[name])
        if dv is not None and not (spec.format == "old" and name == "sugars"):
            d.text((x1, y), dv, font=f_bold, fill=ink, anchor="ra")
        y += row_h
    d.line((x0, y - lw * 2, x1, y - lw * 2), fill=ink, width=lw * 2)
    note = (
        "1일 영양성분 기준치에 대한 비율(%)은 2,000kcal 기준이므로"
        if spec.format == "new"
        else "*%영양소 기준치: 1일 영양소 기준치에 대한 비율"
    )
    d.text((x0, y + lw), note, font=f_small, fill=ink)
    return img


def photograph(label: Image.Image, *, rng: random.Random, level: str = "degraded") -> Image.Image:
    """Put the label on a package and take a (bad) phone photo of it."""
    lw, lh = label.size
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    if level == "clean":
        return label
    margin = int(lw * 0.18)
    W, H = lw + 2 * margin, lh + 2 * margin
    bg_color = np.array(
        rng.choice([(200, 60, 50), (60, 120, 80), (230, 200, 80), (90, 90, 160), (210, 210, 205)]), np.float32
    )
    canvas = np.ones((H, W, 3), np.float32) * bg_color
    canvas[margin : margin + lh, margin : margin + lw] = np.asarray(label, np.float32)
    angle = rng.uniform(-6, 6)
    src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    j = 0.05 * min(W, H)
    dst = src + np.float32([[rng.uniform(-j, j), rng.uniform(-j, j)] for _ in range(4)])
    persp = cv2.getPerspectiveTransform(src, dst)
    rot = np.vstack([cv2.getRotationMatrix2D((W / 2, H / 2), angle, 1.0), [0, 0, 1]])
    M = rot @ persp
    img = cv2.warpPerspective(canvas, M, (W, H), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_LINEAR)
    # uneven light: a soft gradient across the frame
    gx = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.05), W)[None, :, None]
    gy = np.linspace(rng.uniform(0.85, 1.05), rng.uniform(0.75, 1.0), H)[:, None, None]
    img = img * gx * gy
    scale = rng.uniform(0.8, 1.25)
    img = cv2.resize(img, (int(W * scale), int(H * scale)), interpolation=cv2.INTER_AREA)
    img = cv2.GaussianBlur(img, (0, 0), sigmaX=rng.uniform(0.6, 1.4))
    img = img + nrng.normal(0, rng.uniform(3, 8), img.shape)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(55, 85))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def make_label_photo(seed: int, *, level: str = "degraded") -> tuple[Image.Image, LabelSpec]:
    """A photo of a random label and the values printed on it."""
    rng = random.Random(seed)
    spec = random_spec(rng)
    return photograph(render_label(spec, rng=rng), rng=rng, level=level), spec


def label_photo_bytes(seed: int, *, level: str = "degraded", fmt: str = "JPEG") -> tuple[bytes, LabelSpec]:
    img, spec = make_label_photo(seed, level=level)
    buf = io.BytesIO()
    img.save(buf, fmt, quality=90) if fmt == "JPEG" else img.save(buf, fmt)
    return buf.getvalue(), spec
