"""Content features of products: what a product *is*, independent of who bought it.

Four blocks, each L2-normalised per product and weighted, then the row normalised again so
that a dot product is a cosine similarity:

- name words: Korean morphemes from Kiwi (nouns, roots, foreign words — ``배추김치`` gives
  ``순창``, ``찹쌀``, ``고추장``; nouns Kiwi keeps whole, like ``배추김치``, add their syllable
  bigrams so they still meet ``김치``) plus lower-cased English words of ``name_en``, TF-IDF weighted so that
  words every product shares (``세트``, ``SET``) count little;
- category and parent category (skipped when one category holds most of the catalogue, as
  in an imported log where every product is "미분류");
- price band: the quintile of the log price within the product's currency, with half weight
  on the neighbouring bands;
- nutrition facts per 100 g (kcal, sodium, carbohydrate, sugars, protein, fat), standardised
  over the catalogue; absent facts give a zero block.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ml.korean import kiwi

from .data import Catalog

BLOCK_WEIGHTS = {"text": 1.0, "category": 0.7, "price": 0.35, "nutrition": 0.35}
NUTRIENTS = ("calories_kcal", "sodium_mg", "carbohydrate_g", "sugars_g", "protein_g", "fat_g")
KEEP_TAGS = ("NNG", "NNP", "SL", "SH", "XR")
PRICE_BANDS = 5
_EN_WORD = re.compile(r"[a-z][a-z\-']+")
STOP_EN = {"and", "the", "of", "for", "with", "pack", "set", "kg", "ml", "pcs", "ea"}
_HANGUL = re.compile(r"^[가-힣]+$")


def name_tokens(name: str, name_en: str) -> list[str]:
    """Morphemes of the Korean name and words of the English name (lower case)."""
    tokens = []
    if name:
        for tok in kiwi().tokenize(name):
            if tok.tag in KEEP_TAGS and len(tok.form) >= 1:
                form = tok.form.lower()
                if tok.tag == "SL" and (len(form) < 2 or form in STOP_EN):
                    continue
                tokens.append(form)
                if tok.tag.startswith("NN") and len(form) >= 3 and _HANGUL.match(form):
                    # Kiwi keeps 배추김치 whole: its syllable bigrams let it meet 김치
                    tokens.extend(f"bi:{form[i : i + 2]}" for i in range(len(form) - 1))
    if name_en and name_en != name:
        tokens.extend(f"en:{w}" for w in _EN_WORD.findall(name_en.lower()) if w not in STOP_EN)
    return tokens


def _text_block(catalog: Catalog) -> sp.csr_matrix:
    docs = [name_tokens(n, e) for n, e in zip(catalog.names, catalog.names_en, strict=True)]
    if not any(docs):
        return sp.csr_matrix((len(docs), 0), dtype=np.float32)
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=1, dtype=np.float32)
    return vec.fit_transform(docs).tocsr()


def _category_block(catalog: Catalog) -> sp.csr_matrix:
    n = len(catalog.ids)
    cats = np.unique(catalog.category)
    if n == 0 or len(cats) < 2 or np.bincount(np.searchsorted(cats, catalog.category)).max() > 0.8 * n:
        return sp.csr_matrix((n, 0), dtype=np.float32)
    keys = np.unique(np.concatenate([catalog.category, catalog.category_parent[catalog.category_parent > 0]]))
    rows = np.concatenate([np.arange(n), np.nonzero(catalog.category_parent > 0)[0]])
    cols = np.searchsorted(
        keys, np.concatenate([catalog.category, catalog.category_parent[catalog.category_parent > 0]])
    )
    vals = np.concatenate([np.ones(n), np.full(int((catalog.category_parent > 0).sum()), 0.5)])
    return sp.csr_matrix((vals.astype(np.float32), (rows, cols)), shape=(n, len(keys)))


def _price_block(catalog: Catalog) -> sp.csr_matrix:
    n = len(catalog.ids)
    currencies = sorted(set(catalog.currency))
    band = np.zeros(n, dtype=np.int64)
    cur = np.array([currencies.index(c) for c in catalog.currency], dtype=np.int64)
    for ci, _ in enumerate(currencies):
        m = (cur == ci) & (catalog.price > 0)
        if m.sum() >= PRICE_BANDS:
            logp = np.log(catalog.price[m])
            edges = np.quantile(logp, np.linspace(0, 1, PRICE_BANDS + 1)[1:-1])
            band[m] = np.searchsorted(edges, logp, side="right")
    rows, cols, vals = [], [], []
    for d, w in ((0, 1.0), (-1, 0.5), (1, 0.5)):
        b = band + d
        ok = (b >= 0) & (b < PRICE_BANDS) & (catalog.price > 0)
        rows.append(np.nonzero(ok)[0])
        cols.append(cur[ok] * PRICE_BANDS + b[ok])
        vals.append(np.full(int(ok.sum()), w))
    return sp.csr_matrix(
        (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, len(currencies) * PRICE_BANDS),
    )


def _nutrition_block(catalog: Catalog) -> sp.csr_matrix:
    n = len(catalog.ids)
    facts = np.full((n, len(NUTRIENTS)), np.nan)
    for i, nf in enumerate(catalog.nutrition):
        for j, key in enumerate(NUTRIENTS):
            value = nf.get(key)
            if isinstance(value, int | float):
                facts[i, j] = float(value)
    has = ~np.isnan(facts).all(axis=1)
    if has.sum() < 2:
        return sp.csr_matrix((n, 0), dtype=np.float32)
    logf = np.log1p(np.clip(facts, 0, None))
    seen = ~np.isnan(logf[has])
    count = seen.sum(axis=0)
    filled = np.where(seen, logf[has], 0.0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    std = np.sqrt((np.where(seen, (logf[has] - mean) ** 2, 0.0)).sum(axis=0) / np.maximum(count, 1))
    std[~(std > 0)] = 1.0
    z = np.nan_to_num((logf - mean) / std)
    z[~has] = 0.0
    # split positive and negative parts so that cosine similarity stays non-negative
    return sp.csr_matrix(np.hstack([np.clip(z, 0, None), np.clip(-z, 0, None)]).astype(np.float32))


def content_features(catalog: Catalog) -> sp.csr_matrix:
    """Products × features (CSR, float32), rows of unit length (zero rows stay zero)."""
    blocks = {
        "text": _text_block(catalog),
        "category": _category_block(catalog),
        "price": _price_block(catalog),
        "nutrition": _nutrition_block(catalog),
    }
    parts = [normalize(b) * BLOCK_WEIGHTS[k] for k, b in blocks.items() if b.shape[1]]
    if not parts:
        return sp.csr_matrix((len(catalog.ids), 1), dtype=np.float32)
    return normalize(sp.hstack(parts).tocsr()).astype(np.float32)
