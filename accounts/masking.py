"""Masking of personal data: one scheme everywhere (API, admin, exports, reports, logs).

Pure functions, no Django. Formats are fixed by API.md "Personal data"; the masked forms are
chosen so that no two views can be combined into the full value.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_DIGITS = re.compile(r"\d")


def mask_name(value: str | None) -> str | None:
    """김영희 → 김*희, 김영 → 김*, 남궁민수 → 남**수, John Smith → J********h."""
    if value is None:
        return None
    name = value.strip()
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(value: str | None) -> str | None:
    """010-1234-5678 → 010-****-5678, 01012345678 → 010****5678, 02-123-4567 → 02-***-4567.

    The area/carrier prefix and the last four digits stay; every digit in between becomes
    ``*``. Separators are kept where they were. Values with fewer than 7 digits are masked
    whole except the last two digits.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return ""
    digits = _DIGITS.findall(text)
    n = len(digits)
    if n < 7:
        keep_tail = min(2, max(n - 1, 0))
        out, seen = [], 0
        for ch in text:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen > n - keep_tail else "*")
            else:
                out.append(ch)
        return "".join(out)
    tokens = re.split(r"([^\d]+)", text)  # digit groups at even indexes, separators odd
    groups = [i for i, tok in enumerate(tokens) if tok and tok[0].isdigit()]
    if len(groups) >= 3:
        first, last = groups[0], groups[-1]
        return "".join(
            tok if (i in (first, last) or not tok or not tok[0].isdigit()) else "*" * len(tok)
            for i, tok in enumerate(tokens)
        )
    # one or two digit groups: keep the area/carrier prefix (02 Seoul, else 3 digits) and the
    # last four digits, but only while at least three digits stay hidden (1588-1234 → ****-1234)
    body = "".join(digits)
    prefix_len = 2 if body.startswith("02") else 3
    if n - prefix_len - 4 < 3:
        prefix_len = 0
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= prefix_len or seen > n - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_email(value: str | None) -> str | None:
    """kim@example.com → k**@example.com. The domain stays; the local part keeps its first
    character. A value without ``@`` is masked like a name."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return ""
    if "@" not in text:
        return mask_name(text)
    local, _, domain = text.rpartition("@")
    if not local:
        return "*@" + domain
    return local[0] + "*" * max(len(local) - 1, 1) + "@" + domain


_ADMIN_SUFFIXES = ("도", "시", "구", "군")


def mask_address(value: str | None) -> str | None:
    """서울시 강남구 테헤란로 1 → 서울시 강남구 ***; 경기도 성남시 분당구 정자로 5 → 경기도 성남시 분당구 ***.

    Keeps the leading administrative tokens (…도, …시, …구, …군; a bare city name such as
    "서울" may come first) and replaces the rest with ``***``. Without a district, only the
    first token stays if it is a Korean place name; anything else (a foreign address) is masked
    whole. The street part is never shown.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return ""
    tokens = text.split()
    keep = 0
    for index, token in enumerate(tokens):
        if token.endswith(_ADMIN_SUFFIXES) and len(token) > 1 and _HANGUL.search(token):
            keep = index + 1
        elif index == 0 and _HANGUL.search(token):
            continue  # a bare city or province name ("서울", "경기") may come first
        else:
            break
    if keep == 0 and tokens and _HANGUL.search(tokens[0]):
        keep = 1
    if keep >= len(tokens):
        keep = len(tokens) - 1
    kept = tokens[:keep]
    return " ".join([*kept, "***"]) if kept else "***"


MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "emergency_contact": mask_phone,
    "email": mask_email,
    "address": mask_address,
}

PII_FIELDS = tuple(MASKERS)


def mask_value(field: str, value: str | None) -> str | None:
    """Mask ``value`` by the rule of ``field``; fields without a rule pass unchanged."""
    masker = MASKERS.get(field)
    return masker(value) if masker else value


def mask_mapping(data: dict, fields: tuple[str, ...] = PII_FIELDS) -> dict:
    """A copy of ``data`` with the PII ``fields`` masked."""
    out = dict(data)
    for key in fields:
        if key in out and isinstance(out[key], str):
            out[key] = mask_value(key, out[key])
    return out
