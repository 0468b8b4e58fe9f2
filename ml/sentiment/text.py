"""Text normalisation and Kiwi morpheme features shared by training and serving.

Both sides must turn a text into features the same way, so everything that touches raw text
lives here (and is importable by name, because fitted vectorizers pickle a reference to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .analysis import items_of

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
