"""Korean text analysis for the search index, the same at index and at query time.

Two token streams per text (tantivy has no Korean tokenizer; the ES target uses ``nori``):

- ``morph``: Kiwi morphemes (nouns, foreign words, numbers, roots, verb/adjective stems),
  lower-cased, plus each whole word. ``고추장`` in ``태양초 고추장 500g``.
- ``bigram``: character bigrams of the Hangul text with the spaces removed. Kiwi keeps
  ``배추김치`` and ``김치찌개`` as single nouns, so a morpheme-only field misses ``김치`` in
  ``배추김치``, and ``김치찌개`` typed as one word would miss ``김치 찌개 밀키트``; the bigrams
  (김치 치찌 찌개) find both, whatever the spacing.

Kiwi is the slow part (~3,000 short texts/s on one core) and the shared instance
(:func:`ml.korean.kiwi`) runs single-threaded, so words are analysed once and cached (a catalog
repeats its words: brands, units, dishes), and the unseen words of a whole batch go to Kiwi in
one call, joined by newlines, and are split back by offset.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from dataclasses import dataclass

from ml.korean import kiwi

KEEP_TAGS = ("NNG", "NNP", "NNB", "NR", "SL", "SN", "SH", "XR", "VV", "VA", "MAG")
CACHE_LIMIT = 500_000
_WORD = re.compile(r"[\w]+", re.UNICODE)
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ASCII_PARTS = re.compile(r"[a-z]+|[0-9]+")
_cache: dict[str, tuple[str, ...]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Analyzed:
    morph: list[str]
    bigram: list[str]


def words_of(text: str) -> list[str]:
    """Lower-cased words (letters, digits, Hangul); punctuation splits words."""
    return _WORD.findall((text or "").lower())


def bigrams_of(text: str) -> list[str]:
    """Character bigrams of the Hangul in ``text`` with spaces and other characters removed;
    a lone syllable stands for itself."""
    hangul = "".join(_HANGUL_RUN.findall(text or ""))
    if len(hangul) == 1:
        return [hangul]
    return [hangul[i : i + 2] for i in range(len(hangul) - 1)]


def _analyse_words(words: list[str]) -> None:
    """Analyse words not yet cached with one Kiwi call and cache their morphemes."""
    missing = list(dict.fromkeys(w for w in words if w not in _cache))
    if not missing:
        return
    # Latin letters and digits need no Kiwi: split into letter and digit runs, as Kiwi would
    # (SL, SN): "500g" → 500, g. Numbers are the long tail of a catalog's vocabulary.
    ascii_words = [w for w in missing if _ASCII_WORD.fullmatch(w)]
    if ascii_words:
        with _cache_lock:
            for word in ascii_words:
                _cache[word] = tuple(_ASCII_PARTS.findall(word))
        missing = [w for w in missing if w not in _cache]
        if not missing:
            return
    joined = "\n".join(missing)
    starts: list[int] = []
    position = 0
    for word in missing:
        starts.append(position)
        position += len(word) + 1
    found: list[list[str]] = [[] for _ in missing]
    for token in kiwi().tokenize(joined):
        if token.tag.startswith(KEEP_TAGS):
            found[bisect_right(starts, token.start) - 1].append(token.form.lower())
    with _cache_lock:
        if len(_cache) + len(missing) > CACHE_LIMIT:
            _cache.clear()
        for word, forms in zip(missing, found, strict=True):
            _cache[word] = tuple(forms)


def morphemes_of_words(words: list[str]) -> list[str]:
    _analyse_words(words)
    out: list[str] = []
    for word in words:
        out.extend(_cache.get(word) or ())
    return out


def analyse_batch(texts: list[str]) -> list[Analyzed]:
    """Analyse many texts with one Kiwi call for the words not seen before."""
    split = [words_of(t) for t in texts]
    _analyse_words([w for ws in split for w in ws])
    result = []
    for text, words in zip(texts, split, strict=True):
        morph: list[str] = []
        for word in words:
            morph.extend(_cache.get(word) or ())
        # the whole word too: exact words ("500g", "김치찌개") score above their parts
        morph.extend(w for w in words if w not in morph)
        result.append(Analyzed(morph=morph, bigram=bigrams_of(text)))
    return result


def query_terms(q: str) -> list[str]:
    """The distinct morphemes of a query, in order (each one is required in the search)."""
    words = words_of(q)
    terms = morphemes_of_words(words) or words
    return list(dict.fromkeys(t for t in terms if t))
