"""Reading nutrition facts out of Tesseract's lines, row by row, with a unit grammar.

Each row is ``<nutrient> <number><unit> [<percent>%]``. Tesseract's usual mistakes are expected:
``g`` read as ``9``/``0``/``q`` (``30g`` → ``309``/``300``), ``mg`` as ``m9``/``rng``, ``O`` for
``0``, ``S`` for ``5``. A number without its unit therefore yields several candidates (with and
without the last character); the choice is made by cross-checks:

* the %-of-daily-value column (Korean daily values of 2016 and the older ones);
* sugars ≤ carbohydrates, saturated + trans fat ≤ fat;
* calories ≈ 4·carbohydrates + 4·protein + 9·fat.

Every field gets a confidence from Tesseract's word confidences and the checks that confirmed
or contradicted it, and warnings say what could not be confirmed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

KEYWORDS: dict[str, str] = {
    "트랜스지방": "trans_fat",
    "포화지방": "saturated_fat",
    "콜레스테롤": "cholesterol",
    "탄수화물": "carbohydrates",
    "나트륨": "sodium",
    "단백질": "protein",
    "당류": "sugars",
    "지방": "fat",
    "열량": "calories",
}
FIELDS = [
    "calories",
    "sodium",
    "carbohydrates",
    "sugars",
    "fat",
    "trans_fat",
    "saturated_fat",
    "cholesterol",
    "protein",
]
CORE_FIELDS = ["calories", "sodium", "carbohydrates", "protein", "fat"]
UNIT_OF = {"calories": "kcal", "sodium": "mg", "cholesterol": "mg"}
DAILY_VALUES = [
    {
        "sodium": 2000,
        "carbohydrates": 324,
        "sugars": 100,
        "fat": 54,
        "saturated_fat": 15,
        "cholesterol": 300,
        "protein": 55,
    },
    {"sodium": 2000, "carbohydrates": 328, "fat": 51, "saturated_fat": 15, "cholesterol": 300, "protein": 60},
]
FIELD_LABELS = {
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
# per label (a whole pack at most): beyond these a reading is an OCR slip, not a food
PLAUSIBLE_MAX = {"sodium": 8000, "cholesterol": 1500, "calories": 3000, "trans_fat": 20, "saturated_fat": 100}
HANGUL = re.compile(r"[가-힣]+")
DIGITISH = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
    }
)
# number, then an optional unit as Tesseract spells it
VALUE = re.compile(
    r"(?P<num>[0-9OoDQIl|!SsBZ][0-9OoDQIl|!SsBZ.,]*)\s?"
    r"(?P<unit>k\s?c\s?a\s?[l1I|]|kca|cal|[mr]n?[g9q]|m[g9q]?|[g9q])?"
    r"(?![0-9])(?!\s?%)(?![가-힣])",
)
PERCENT = re.compile(r"(?P<num>[0-9OoIl|SB]{1,3})\s?%")


@dataclass
class Word:
    text: str
    conf: float  # 0–100
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in the prepared image


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Candidate:
    value: float
    prior: float  # 0 best; larger = less likely reading
    note: str = ""


@dataclass
class Reading:
    field: str
    candidates: list[Candidate]
    dv: int | None
    conf: float  # Tesseract confidence 0–1 of the row's words
    raw: str


@dataclass
class ParsedLabel:
    facts: dict = field(default_factory=dict)
    field_confidence: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    label_format: str | None = None
    serving_size: dict | None = None
    basis: str | None = None
    checks: dict = field(default_factory=dict)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def match_keyword(token: str) -> str | None:
    """The nutrient a Hangul token names, tolerating one OCR slip in longer names."""
    if not token:
        return None
    for kw, name in KEYWORDS.items():  # longest first: 포화지방 before 지방
        if kw in token:
            return name
    best, best_score = None, 0.0
    for kw, name in KEYWORDS.items():
        if len(kw) < 3:
            continue
        s = _similar(token[: len(kw) + 1], kw)
        if s > best_score:
            best, best_score = name, s
    return best if best_score >= 0.66 else None


def _to_number(text: str) -> tuple[str, float] | None:
    t = text.translate(DIGITISH).rstrip(".,")
    if not t or not t[0].isdigit():
        return None
    if "," in t:
        head, _, tail = t.rpartition(",")
        t = head.replace(",", "") + ("" if len(tail) == 3 and "." not in tail else ".") + tail
    if t.count(".") > 1:
        return None
    try:
        return t, float(t)
    except ValueError:
        return None


def value_candidates(segment: str, field_name: str) -> list[Candidate]:
    """Readings of the value in ``segment`` (the text after the nutrient's name)."""
    expected = UNIT_OF.get(field_name, "g")
    for m in VALUE.finditer(segment):
        parsed = _to_number(m.group("num"))
        if parsed is None:
            continue
        digits, number = parsed
        unit = (m.group("unit") or "").replace(" ", "")
        rest = segment[m.end() : m.end() + 2]
        if rest.startswith("%") or segment[m.end() - 1 : m.end()] == "%":
            continue  # that is the %DV column
        cands: list[Candidate] = []
        if expected == "kcal":
            if unit[:1] in ("k", "c") or unit.startswith("ca"):
                return [Candidate(number, 0.0)]
            cands.append(Candidate(number, 0.5))
            return cands
        if expected == "mg":
            if unit[:1] in ("m", "r"):
                return [Candidate(number, 0.0)]
            # "mg" is often read as 2–4 stray digits ("0100", "790070"): every prefix is a reading
            if len(digits) > 1 and digits[0] == "0" and digits[1] != ".":
                return [Candidate(0.0, 0.3, "mg 오인식 보정"), Candidate(number, 1.0, "단위 없음")]
            cands.append(Candidate(number, 0.6, "단위 없음"))
            for cut in (1, 2, 3, 4):
                if len(digits) > cut and "." not in digits[-cut:]:
                    head = _to_number(digits[:-cut])
                    if head:
                        cands.append(Candidate(head[1], 0.7 + 0.15 * cut, "mg 오인식 보정"))
            return cands
        # grams: anything else after the number ("130 me") is not a unit of this row
        if unit not in ("g", "q", "9"):
            unit = ""
        if unit in ("g", "q"):
            return [Candidate(number, 0.0)]
        if unit == "9" or (unit == "" and len(digits) > 1 and digits[-1] in "09" and digits[-2] != "."):
            core = digits if unit == "9" else digits[:-1]
            head = _to_number(core) if core else None
            if unit == "9":
                # "30 9": a separate 9 is almost surely the unit
                return [Candidate(number, 0.1)] + ([Candidate(float(digits + "9"), 1.5)] if digits else [])
            cands.append(Candidate(head[1], 0.4, "g→9/0 오인식 보정") if head else Candidate(number, 0.4))
            cands.append(Candidate(number, 0.7, "단위 없음"))
            return cands
        cands.append(Candidate(number, 0.3 if unit == "" else 0.0))
        return cands
    return []


def _dv_percent(segment: str) -> int | None:
    found = PERCENT.findall(segment)
    if not found:
        # "20%" read as "209": a last number after the value, ending in 9
        numbers = re.findall(r"(?<![0-9.])([0-9]{1,3})(?![0-9.])", segment)
        if len(numbers) >= 2 and numbers[-1].endswith("9") and len(numbers[-1]) >= 2:
            return int(numbers[-1][:-1])
        return None
    t = found[-1].translate(DIGITISH)
    return int(t) if t.isdigit() else None


def _dv_agrees(field_name: str, value: float, dv: int) -> bool:
    return any(field_name in table and abs(value / table[field_name] * 100 - dv) <= 1.0 for table in DAILY_VALUES)


def _segments(line: Line) -> list[tuple[str, str, float]]:
    """(field, text after the name, mean confidence) for each nutrient named on the line."""
    words = _merge_hangul(line.words)
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(words):
        token = "".join(HANGUL.findall(words[i].text))
        name = match_keyword(token) if token else None
        if name is None and token and i + 1 < len(words):
            joined = token + "".join(HANGUL.findall(words[i + 1].text))
            if len(token) <= 2:
                name = match_keyword(joined)
                if name is not None and name not in ("fat", "sugars", "calories") and joined != token:
                    out.append((i, name))
                    i += 2
                    continue
        if name is not None:
            out.append((i, name))
        i += 1
    segments = []
    for k, (start, name) in enumerate(out):
        end = out[k + 1][0] if k + 1 < len(out) else len(words)
        own = words[start:end]
        first = own[0].text
        # keep what follows the name inside the first word ("지방10g")
        tail = re.sub(r"^[^0-9OoIl|S]*?[가-힣]+", "", first) if HANGUL.search(first) else first
        text = " ".join([tail, *(w.text for w in own[1:])]).strip()
        conf = sum(w.conf for w in own) / len(own) / 100.0
        segments.append((name, text, conf))
    return segments


CALORIE_LINE = re.compile(r"(?<![0-9A-Za-z])(?P<num>[0-9][0-9OoS,. ]{0,5}?)\s?k\s?c\s?a\s?[l1I|]", re.IGNORECASE)


def _union(a: tuple | None, b: tuple | None) -> tuple | None:
    if a is None or b is None:
        return a or b
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def line_fields(line: Line) -> list[str]:
    """The nutrients named on a line (used by the engine to find rows and re-read names)."""
    return [name for name, _, _ in _segments(line)]


def _merge_hangul(words: list[Word]) -> list[Word]:
    """Tesseract often splits a Hangul word into syllables (``포 화 지방``): join runs of them."""
    out: list[Word] = []
    for w in words:
        if out and HANGUL.fullmatch(w.text) and HANGUL.fullmatch(out[-1].text) and len(out[-1].text) < 6:
            prev = out[-1]
            out[-1] = Word(prev.text + w.text, min(prev.conf, w.conf), _union(prev.box, w.box))
        else:
            out.append(w)
    return out


def _kcal_candidates(segment: str) -> list[Candidate]:
    hdr = _calorie_header(Line([Word(segment, 100.0)]))
    return [Candidate(hdr[0], 0.0)] if hdr else value_candidates(segment, "calories")


def _calorie_header(line: Line) -> tuple[float, float] | None:
    text = line.text
    if "기준" in text or "2,000" in text or "2.000" in text:
        return None
    m = CALORIE_LINE.search(text)
    if not m:
        return None
    num = m.group("num").replace(" ", "")
    parsed = _to_number(num)
    if parsed is None:
        return None
    conf = sum(w.conf for w in line.words) / max(len(line.words), 1) / 100.0
    return parsed[1], conf


# "총 내용량 120g"; the title beside it often swallows "총 내" ("용량 120")
SERVING_TOTAL = re.compile(r"(?:총\s*)?(?:내\s*)?용\s*량\s*(?P<num>[0-9OoIl.,]+)\s*(?P<unit>g|9|ml|mL|0)?")
SERVING_ONCE = re.compile(r"1\s*회\s*제\s*공\s*량.*?\(\s*(?P<num>[0-9OoIl.,]+?)\s*(?P<unit>g|9|0|ml|mL)?\s*\)")
PER_100 = re.compile(r"(?:^|\s)1\s?[0O]\s?[0O]\s?(?:g|9|m[l1]|ml)?\s?(?:당|8)")


def parse_label(lines: list[Line]) -> ParsedLabel:
    """Nutrition facts from OCR lines; empty facts and a warning when no label is seen."""
    result = ParsedLabel()
    text_all = "\n".join(line.text for line in lines)
    compact = re.sub(r"\s+", "", text_all)
    if "영양정보" in compact or "총내용량" in compact:
        result.label_format = "영양정보"
    elif "영양성분" in compact or "제공량" in compact:
        result.label_format = "영양성분"

    readings: dict[str, Reading] = {}
    header_kcal: tuple[float, float] | None = None
    for line in lines:
        for name, segment, conf in _segments(line):
            if name in readings:
                # the same row read twice (the header is read again): more candidates, not a new row
                prev = readings[name]
                extra = value_candidates(segment, name) if name != "calories" else _kcal_candidates(segment)
                seen = {c.value for c in prev.candidates}
                prev.candidates += [c for c in extra if c.value not in seen]
                if prev.dv is None and name != "calories":
                    prev.dv = _dv_percent(segment)
                continue
            if name == "calories":
                hdr = _calorie_header(Line([Word(segment + (" kcal" if "kcal" not in segment else ""), conf * 100)]))
                cands = value_candidates(segment, name)
                if hdr and not cands:
                    cands = [Candidate(hdr[0], 0.0)]
                readings[name] = Reading(name, cands, None, conf, segment)
                continue
            readings[name] = Reading(name, value_candidates(segment, name), _dv_percent(segment), conf, segment)
        if header_kcal is None:
            header_kcal = _calorie_header(line)
        m = SERVING_TOTAL.search(line.text)
        if m and result.serving_size is None:
            num = _to_number(m.group("num"))
            if num:
                value = num[1]
                if not m.group("unit") and num[0][-1] in "09" and len(num[0]) > 1:
                    value = float(num[0][:-1])  # "120g" read as "1209"
                result.serving_size = {"value": value, "unit": "g", "basis": "총 내용량"}
        m = SERVING_ONCE.search(line.text)
        if m and result.serving_size is None:
            num = _to_number(m.group("num"))
            if num:
                unit = m.group("unit") or ""
                result.serving_size = {
                    "value": num[1],
                    "unit": "ml" if unit.lower() == "ml" else "g",
                    "basis": "1회 제공량",
                }
        if result.basis is None and PER_100.search(line.text):
            result.basis = "100g당"
    if "calories" not in readings and header_kcal is not None:
        readings["calories"] = Reading("calories", [Candidate(header_kcal[0], 0.0)], None, header_kcal[1], "")
    elif "calories" in readings and header_kcal is not None:
        cands = readings["calories"].candidates
        if header_kcal[0] not in {c.value for c in cands}:
            cands.append(Candidate(header_kcal[0], 0.2))

    found = [r for r in readings.values() if r.candidates]
    if len(found) < 2:
        result.warnings.append("영양성분표를 찾지 못했습니다. 영양성분표가 화면에 가득 차도록 다시 촬영해주세요")
        return result
    if result.basis is None:
        result.basis = {"영양정보": "총 내용량", "영양성분": "1회 제공량"}.get(result.label_format or "")

    chosen = _choose(readings)
    for name in FIELDS:
        if name not in chosen:
            continue
        cand, conf, notes = chosen[name]
        value = int(cand.value) if float(cand.value).is_integer() else round(cand.value, 2)
        result.facts[name] = value
        result.field_confidence[name] = round(conf, 2)
        for note in notes:
            result.warnings.append(f"{FIELD_LABELS[name]}: {note}")
    missing = [FIELD_LABELS[f] for f in CORE_FIELDS if f not in result.facts]
    if missing:
        result.warnings.append("읽지 못한 항목: " + ", ".join(missing))
    f = result.facts
    if all(k in f for k in ("calories", "carbohydrates", "protein", "fat")):
        expected = 4 * f["carbohydrates"] + 4 * f["protein"] + 9 * f["fat"]
        agree = _kcal_agrees(f["calories"], expected)
        result.checks["calories_formula"] = {"expected": round(expected, 1), "agrees": agree}
        if not agree:
            result.warnings.append(
                f"열량({f['calories']}kcal)이 4×탄수화물+4×단백질+9×지방({expected:g}kcal)과 맞지 않습니다"
            )
    return result


def _kcal_agrees(kcal: float, expected: float) -> bool:
    return abs(kcal - expected) <= max(15.0, 0.12 * max(kcal, expected))


def _choose(readings: dict[str, Reading]) -> dict[str, tuple[Candidate, float, list[str]]]:
    """Pick one candidate per field, maximising agreement with all the cross-checks."""
    names = [n for n, r in readings.items() if r.candidates]
    options = [readings[n].candidates[:6] for n in names]
    best, best_score = None, float("-inf")
    combos = itertools.product(*options) if _combo_count(options) <= 20000 else [tuple(o[0] for o in options)]
    for combo in combos:
        values = dict(zip(names, combo, strict=True))
        score = -sum(c.prior for c in combo)
        for n, c in values.items():
            dv = readings[n].dv
            if dv is not None:
                score += 2.0 if _dv_agrees(n, c.value, dv) else -1.0
        v = {n: c.value for n, c in values.items()}
        score -= sum(2.0 for n, x in v.items() if x > PLAUSIBLE_MAX.get(n, float("inf")))
        if "sugars" in v and "carbohydrates" in v and v["sugars"] > v["carbohydrates"]:
            score -= 2.0
        if "fat" in v and v.get("saturated_fat", 0) + v.get("trans_fat", 0) > v["fat"] + 0.05:
            score -= 2.0
        if all(k in v for k in ("calories", "carbohydrates", "protein", "fat")):
            expected = 4 * v["carbohydrates"] + 4 * v["protein"] + 9 * v["fat"]
            score += 1.5 if _kcal_agrees(v["calories"], expected) else -0.5
        if score > best_score:
            best, best_score = values, score
    assert best is not None
    v = {n: c.value for n, c in best.items()}
    kcal_ok = None
    if all(k in v for k in ("calories", "carbohydrates", "protein", "fat")):
        kcal_ok = _kcal_agrees(v["calories"], 4 * v["carbohydrates"] + 4 * v["protein"] + 9 * v["fat"])
    out: dict[str, tuple[Candidate, float, list[str]]] = {}
    for n, c in best.items():
        r = readings[n]
        conf = max(0.05, min(1.0, r.conf))
        notes: list[str] = []
        if r.dv is not None:
            if _dv_agrees(n, c.value, r.dv):
                conf = min(1.0, conf * 1.1)
            else:
                conf *= 0.5
                notes.append(f"%영양성분 기준치({r.dv}%)와 값이 맞지 않습니다")
        elif n in ("calories", "carbohydrates", "protein", "fat") and kcal_ok is not None:
            conf *= 1.0 if kcal_ok else 0.7
        else:
            conf *= 0.9
        if c.prior > 0 and not (r.dv is not None and _dv_agrees(n, c.value, r.dv)):
            conf *= 0.85
            if c.note:
                notes.append(c.note)
        out[n] = (c, conf, notes)
    return out


def _combo_count(options: list[list[Candidate]]) -> int:
    n = 1
    for o in options:
        n *= max(1, len(o))
    return n
