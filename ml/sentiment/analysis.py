"""Clauses, aspects and keywords of one review, from its Kiwi tokens.

A review is cut into clauses at sentence ends, commas and the connective endings that join
clauses (-지만, -는데, -고, -어서, -니까, -어도 …), so "배송은 느렸지만 맛은 최고예요" gives two
clauses and each aspect is scored only on the clauses that mention it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lexicon import ASPECT_TERMS, STOP_LEMMAS

# Connective endings (EC) after which a new clause starts. "-게", "-지" (맛있지 않다), "-어"
# (먹어 보다) bind to the next predicate and are not boundaries.
CLAUSE_ENDINGS = frozenset(
    {
        "지만",
        "는데",
        "은데",
        "ㄴ데",
        "ㄴ데도",
        "던데",
        "으나",
        "나",
        "고",
        "아서",
        "어서",
        "서",
        "니까",
        "으니까",
        "면서",
        "으면서",
        "아도",
        "어도",
        "도",
        "더니",
        "는데도",
        "은데도",
        "다가",
        "고서",
    }
)
# Kiwi writes an ending that starts with a final consonant in conjoining jamo ("ᆫ데", U+11AB);
# CLAUSE_ENDINGS is written with compatibility jamo ("ㄴ데", U+3134): compare them folded
_FINAL_JAMO = str.maketrans(
    {
        "\u11a8": "ㄱ",
        "\u11ab": "ㄴ",
        "\u11af": "ㄹ",
        "\u11b7": "ㅁ",
        "\u11b8": "ㅂ",
        "\u11ba": "ㅅ",
        "\u11bb": "ㅆ",
        "\u11bc": "ㅇ",
    }
)


def is_clause_ending(form: str) -> bool:
    """A connective ending after which a new clause starts (비싼데 = 비싸/VA ᆫ데/EC)."""
    return form.translate(_FINAL_JAMO) in CLAUSE_ENDINGS


BOUNDARY_PUNCT = frozenset({"SF", "SP"})  # . ! ? and , ; :
# what may stand before a connective ending for the clause to be completed as a sentence: a
# predicate stem, a copula, a pre-final ending (았/었, 시) or a 하다 suffix
COMPLETABLE_TAGS = frozenset({"VV", "VA", "VX", "VCP", "VCN", "EP", "XSA", "XSV"})
NOUN_TAGS = ("NNG", "NNP", "SL")
PREDICATE_TAGS = ("VA", "VV")
MAX_KEYWORDS = 10
# one-syllable nouns kept as keywords: aspects, and K-food names that are not also common words
# (not 배 pear/belly/ship, 감 persimmon/feeling, 차 tea/car)
ONE_SYLLABLE_KEYWORDS = frozenset(
    {
        "맛",
        "양",
        "향",
        "질",
        "값",
        "김",
        "떡",
        "쌀",
        "빵",
        "면",
        "밥",
        "국",
        "죽",
        "꿀",
        "술",
        "잼",
        "콩",
        "팥",
        "굴",
        "귤",
    }
)


@dataclass(frozen=True)
class Item:
    """One morpheme as ``morph_string`` writes it: form (lemma for predicates) and tag."""

    form: str
    tag: str
    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    text: str
    items: tuple[Item, ...]

    @property
    def morphs(self) -> str:
        return " ".join(f"{i.form}/{i.tag}" for i in self.items)


def items_of(tokens: Iterable) -> list[Item]:
    out = []
    for t in tokens:
        tag = t.tag.split("-")[0]
        form = t.lemma if tag.startswith(("VV", "VA", "VX")) else t.form
        out.append(Item(form=form, tag=tag, start=t.start, end=t.start + t.len))
    return out


def items_from_morphs(morphs: str) -> list[Item]:
    """Items back from a cached morph string (positions unknown)."""
    out = []
    for chunk in morphs.split():
        form, _, tag = chunk.rpartition("/")
        out.append(Item(form=form, tag=tag, start=0, end=0))
    return out


def split_clauses(text: str, items: Sequence[Item]) -> list[Clause]:
    clauses: list[Clause] = []
    current: list[Item] = []

    def close() -> None:
        content = [i for i in current if i.tag not in BOUNDARY_PUNCT]
        if content:
            clauses.append(Clause(text=text[content[0].start : content[-1].end].strip(), items=tuple(content)))
        current.clear()

    previous: Item | None = None
    at_boundary = False  # the last item ended a clause; a particle written onto it still belongs
    for item in items:
        # 엉망인데도 = 엉망/NNG 이/VCP ᆫ데/EC 도/JX: a particle written onto the ending stays with it
        attached = at_boundary and item.tag == "JX" and previous is not None and item.start == previous.end
        if at_boundary and not attached:
            close()
        current.append(item)
        at_boundary = bool(
            attached
            or item.tag in BOUNDARY_PUNCT
            or (item.tag == "EC" and is_clause_ending(item.form))
            # 맛있는데 is also tagged 맛있/VA 는/ETM 데/NNB
            or (item.tag == "NNB" and item.form == "데" and previous is not None and previous.tag == "ETM")
        )
        previous = item
    close()
    return clauses


def completed_clause_text(text: str, analyser: object) -> str | None:
    """A clause cut at a connective ending, written as a sentence of its own: the connective
    replaced by the polite sentence ending (Kiwi joins the morphemes, so the stem changes as it
    should) — "배송은 빨랐지만" → "배송은 빨랐어요", "가격이 좀 비싸지만" → "가격이 좀 비싸요",
    "맛있는데" → "맛있어요". Read alone, a clause that ends in -지만/-는데 is an unfinished
    sentence, and the model (trained on whole reviews) reads it as hedged; the aspect it mentions
    is scored on the finished one (docs/sentiment.md, "Aspects"). ``None`` when the clause does
    not end in a connective after a predicate."""
    tokens = list(analyser.tokenize(text))  # Kiwi tokens: join keeps their spacing and spelling
    base = [t.tag.split("-")[0] for t in tokens]
    if len(tokens) >= 3 and base[-1] == "JX" and base[-2] == "EC":
        tokens, base = tokens[:-1], base[:-1]  # 엉망인데도: the particle goes with the connective
    if len(tokens) >= 3 and (tokens[-1].form, base[-1]) == ("데", "NNB") and base[-2] == "ETM":
        tokens, base = tokens[:-2], base[:-2]  # 맛있는데 = 맛있/VA 는/ETM 데/NNB
    elif len(tokens) >= 2 and base[-1] == "EC" and is_clause_ending(tokens[-1].form):
        tokens, base = tokens[:-1], base[:-1]
    else:
        return None
    if base[-1] not in COMPLETABLE_TAGS:
        return None
    if base[-1] == "VCP" and (len(base) < 2 or not base[-2].startswith(("N", "XSN", "SN"))):
        return None  # a copula Kiwi supplied after punctuation or jamo ("!!!지만", "ㅋ지만")
    return analyser.join([*tokens, ("에요" if base[-1] == "VCP" else "어요", "EF")])


def lemmas(items: Sequence[Item]) -> list[str]:
    """Content lemmas: nouns, and predicates with -다 ("친절/NNG 하/XSA" → 친절하다)."""
    out: list[str] = []
    for idx, item in enumerate(items):
        nxt = items[idx + 1] if idx + 1 < len(items) else None
        prev = items[idx - 1] if idx > 0 else None
        prefix = prev.form if prev is not None and prev.tag == "XPN" else ""  # 불/XPN 친절 → 불친절
        if item.tag in ("NNG", "XR") and nxt is not None and nxt.tag in ("XSA", "XSV"):
            out.append(prefix + item.form + nxt.form + "다")  # 친절하다, 불친절하다, 만족스럽다
        elif item.tag in NOUN_TAGS:
            out.append(prefix + item.form)
        elif item.tag in PREDICATE_TAGS:
            out.append(item.form)
    return out


def keyword_terms(items: Sequence[Item]) -> list[str]:
    """Lemmas that may be keywords: content lemmas without stop words and one-syllable nouns —
    except the aspects customers write about (맛, 양, 향, 질, 값) and the shop's one-syllable
    foods (김, 떡, 쌀 … ``ONE_SYLLABLE_KEYWORDS``)."""
    return [w for w in lemmas(items) if w not in STOP_LEMMAS and (len(w) > 1 or w in ONE_SYLLABLE_KEYWORDS)]


def keywords(items: Sequence[Item], *, idf: dict[str, float], default_idf: float) -> list[dict]:
    """TF-IDF of the review's keyword lemmas against the training review corpus, L2-normalised
    over the review (so a one-line review still gets weights), highest first."""
    counts = Counter(keyword_terms(items))
    if not counts:
        return []
    weights = {w: (1.0 + math.log(c)) * idf.get(w, default_idf) for w, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_KEYWORDS]
    return [{"word": w, "importance": round(v / norm, 3)} for w, v in ranked]


def clause_aspects(clause: Clause) -> set[str]:
    """The aspects a clause mentions."""
    words = {i.form for i in clause.items} | set(lemmas(clause.items))
    found = set()
    for aspect, terms in ASPECT_TERMS.items():
        if words & terms or any(len(term) > 1 and term in clause.text for term in terms):
            found.add(aspect)
    return found


def document_frequencies(documents: Iterable[Sequence[Item]]) -> tuple[dict[str, float], float, int]:
    """Smoothed IDF (as scikit-learn's) of keyword lemmas over a corpus; rare lemmas dropped."""
    df: Counter[str] = Counter()
    n = 0
    for items in documents:
        n += 1
        df.update(set(keyword_terms(items)))
    default = math.log((1 + n) / 1) + 1.0  # a lemma never seen in the corpus
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items() if c >= 2}
    return idf, default, n
