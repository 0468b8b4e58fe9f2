"""Text normalisation and Kiwi morpheme features shared by training and serving.

Both sides must turn a text into features the same way, so everything that touches raw text
lives here (and is importable by name, because fitted vectorizers pickle a reference to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .analysis import items_from_morphs, items_of

_REPEAT = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def normalize(text: str) -> str:
    """Collapse runs of a character ("ㅋㅋㅋㅋㅋ", "!!!!", "......") to two and squeeze spaces."""
    return _SPACES.sub(" ", _REPEAT.sub(r"\1\1", text or "")).strip()


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text or ""))


def morph_string(tokens: Iterable) -> str:
    """Kiwi tokens as one space-separated string of ``form/TAG`` items (lemmas for predicates)."""
    return " ".join(f"{i.form}/{i.tag}" for i in items_of(tokens))


def morph_strings(texts: Iterable[str], progress: object | None = None) -> Iterator[str]:
    """Kiwi morphemes of each (normalised) text, one by one (the shared instance is single-threaded)."""
    from ml.korean import kiwi

    analyser = kiwi()
    for text in texts:
        norm = normalize(text)
        yield morph_string(analyser.tokenize(norm)) if norm else ""
        if progress is not None:
            progress.update(1)


def split_tokens(text: str) -> list[str]:
    """The vectorizer's tokenizer over a :func:`morph_string` (items are space-separated)."""
    return text.split()


_NEGATING_ADVERBS = frozenset({"안", "못"})
_NEGATING_AUXILIARIES = frozenset({"않다", "못하다"})
_HAVE = frozenset({"있다", "없다"})


def _polarity_units(morphs: str) -> Iterator[tuple[str, bool]]:
    """(lemma, negated) for each content word of a morph string: predicates as lemmas, noun/root +
    하다 joined (친절하다, 불친절하다), noun + 있다/없다 joined (맛없다, 맛이 없다), nouns and adverbs
    as they are. Negated: "안/못 X", or "X지 (는/도) 않다/못하다"."""
    items = items_from_morphs(morphs)
    idx = 0
    while idx < len(items):
        item = items[idx]
        end = idx
        prev = items[idx - 1] if idx > 0 else None
        if item.tag in ("NNG", "XR") and idx + 1 < len(items) and items[idx + 1].tag in ("XSA", "XSV"):
            prefix = prev.form if prev is not None and prev.tag == "XPN" else ""
            lemma, end = prefix + item.form + items[idx + 1].form + "다", idx + 1
        elif item.tag in ("VA", "VV", "VX") and item.form in _HAVE and prev is not None:
            noun = prev if prev.tag == "NNG" else (items[idx - 2] if prev.tag == "JKS" and idx > 1 else None)
            lemma = (noun.form + item.form) if noun is not None and noun.tag == "NNG" else item.form
        elif item.tag in ("VA", "VV", "NNG", "NNP", "MAG", "IC", "XR"):
            lemma = item.form
        else:
            idx += 1
            continue
        negated = prev is not None and prev.tag == "MAG" and prev.form in _NEGATING_ADVERBS and lemma != prev.form
        after = items[end + 1 : end + 4]
        if after and after[0].form == "지" and after[0].tag == "EC":
            rest = after[1:]
            if rest and rest[0].tag == "JX":
                rest = rest[1:]
            negated = negated or bool(rest and rest[0].form in _NEGATING_AUXILIARIES and rest[0].tag == "VX")
        yield lemma, negated
        idx = end + 1


def lexicon_string(text: str, morphs: str) -> str:
    """Polarity-lexicon tokens of a text (the "lexicon" feature view): ``LEX+``/``LEX-`` for each
    positive/negative word (``lexicon.POSITIVE_LEMMAS``, ``NEGATIVE_LEMMAS``, slang phrases in
    ``POLARITY_PHRASES``), ``LEX¬+``/``LEX¬-`` when the word is negated, and ``NOT:lemma`` for
    each negated word. The classifier learns their weights, e.g. that "나쁘지 않다" is praise."""
    from .lexicon import NEGATIVE_LEMMAS, POLARITY_PHRASES, POSITIVE_LEMMAS

    out = []
    for lemma, negated in _polarity_units(morphs):
        sign = "+" if lemma in POSITIVE_LEMMAS else "-" if lemma in NEGATIVE_LEMMAS else ""
        if negated:
            out.append(f"NOT:{lemma}")
        if sign:
            out.append(f"LEX¬{sign}" if negated else f"LEX{sign}")
    compact = text.replace(" ", "")
    for phrase, polarity in POLARITY_PHRASES.items():
        if phrase in compact:  # spacing does not matter: 거북이 배송 = 거북이배송
            out.append("LEX+" if polarity > 0 else "LEX-")
    return " ".join(out)
