"""Train the review sentiment model on NSMC + KoBEST SentiNeg (docs/sentiment.md).

Steps: Kiwi morphemes of every text (cached under the system temp dir, keyed by the corpus
bytes and the Kiwi version: tokenising 150k texts takes minutes); three TF-IDF views fitted on
all training texts — characters, morphemes, polarity-lexicon tokens; a validation split held out
from the training data (the last 10% of the NSMC texts used and a seeded 10% of SentiNeg); the
members (NB-LR and one-hidden-layer networks over views, ``MEMBERS``) fitted on the rest with the
shopping reviews (SentiNeg) up-weighted; the stacker — a logistic regression on the members'
held-out decision values — which both combines and calibrates them; finally the members are
refitted on all the training data with the same settings (``refit``) and the stacker is kept.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .analysis import document_frequencies, items_from_morphs
from .data import ATTRIBUTION, Corpus, load_corpus
from .lexicon import POLARITY_PHRASES
from .model import LexiconLayer, LinearMember, MLPMember, SentimentModel, Stacker, View
from .sequence import sequences
from .sequence_training import fit_cnn, fit_gru
from .text import lexicon_signals, lexicon_string, morph_strings, normalize, split_tokens

Progress = Callable[[str, int], object]  # (description, total) -> a tqdm-like bar

# name → (kind, views); for the sequence kinds (cnn, gru) the "view" is the token sequence
# ("morph" or "syllable", ``sequence.sequences``). Chosen on the validation split (docs/sentiment.md, "How it was chosen").
MEMBERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "char-lr": ("lr", ("char",)),
    "morph-lr": ("lr", ("morph", "lexicon")),
    "char-mlp": ("mlp", ("char",)),
    "morph-mlp": ("mlp", ("morph", "lexicon")),
    "morph-cnn": ("cnn", ("morph",)),
    "morph-gru": ("gru", ("morph",)),
    "syllable-gru": ("gru", ("syllable",)),
}
SEQUENCE_KINDS = frozenset({"cnn", "gru"})
TORCH_KINDS = frozenset({"mlp", "cnn", "gru"})
DEFAULT_MEMBERS = ("morph-lr", "char-mlp", "morph-mlp", "morph-gru")
FAST_MEMBERS = ("morph-lr", "morph-mlp")  # make demo: the two cheapest


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path
    nsmc_limit: int | None = None  # fast mode: the first N NSMC training texts
    sentineg_weight: float = 5.0
    C: float = 4.0
    members: tuple[str, ...] = DEFAULT_MEMBERS
    holdout: float = 0.1
    refit: bool = True  # after the stacker is fitted, refit the members on all the training data
    char_ngrams: tuple[int, int] = (1, 5)
    morph_ngrams: tuple[int, int] = (1, 3)
    min_df: int = 2
    mlp_hidden: int = 32
    mlp_epochs: int = 3
    mlp_seeds: int = 1  # networks per MLP member, averaged
    mlp_min_updates: int = 500  # small corpora get more epochs
    seq_dim: int = 128  # embedding size of the sequence members
    seq_min_count: int = 2  # tokens seen fewer times share the unknown embedding
    cnn_widths: tuple[int, ...] = (2, 3, 4, 5)
    cnn_filters: int = 100
    cnn_epochs: int = 2
    gru_hidden: int = 96
    gru_epochs: int = 3
    seq_min_updates: int = 300
    seed: int = 0
    cache_dir: Path | None = None  # default: the system temp dir
    lexicon_layer: bool = True
    phrase_min_count: int = 20  # slang seen fewer times in the training texts gets the lexicon layer
    layer_max_morphemes: int = 15  # the lexicon layer reads short texts only


def _cache_path(config: TrainConfig, corpus: Corpus) -> Path:
    import kiwipiepy

    digest = hashlib.sha256()
    digest.update(kiwipiepy.__version__.encode())
    for text in corpus.texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    base = config.cache_dir or Path(tempfile.gettempdir())
    return base / f"sentiment-morphs-{corpus.name}-{digest.hexdigest()[:16]}.pkl"


def corpus_morphs(config: TrainConfig, corpus: Corpus, progress: Progress | None = None) -> list[str]:
    """Kiwi morph strings of a corpus, from the cache when it is there."""
    path = _cache_path(config, corpus)
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own cache file, keyed by content hash
    bar = progress(f"Kiwi {corpus.name}", len(corpus.texts)) if progress else None
    morphs = list(morph_strings(corpus.texts, progress=bar))
    if bar is not None:
        bar.close()
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(morphs, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return morphs


def holdout_mask(n_nsmc: int, n_shop: int, share: float, seed: int) -> np.ndarray:
    """The validation rows: the last ``share`` of the NSMC rows and a seeded ``share`` of SentiNeg."""
    nsmc = np.arange(n_nsmc) >= n_nsmc - int(n_nsmc * share)
    shop = np.zeros(n_shop, dtype=bool)
    shop[np.random.RandomState(seed).permutation(n_shop)[: int(n_shop * share)]] = True
    return np.concatenate([nsmc, shop])


def _nb_ratio(x: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    p = alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def fit_nb_lr(name: str, views: tuple[str, ...], x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, C: float):
    """Logistic regression on NB-scaled features (Wang & Manning 2012), the scaling folded in."""
    ratio = _nb_ratio(x, y)
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=2000)
    clf.fit(x @ sp.diags(ratio), y, sample_weight=w)
    return LinearMember(name, views, (clf.coef_.ravel() * ratio).astype(np.float32), float(clf.intercept_[0]))


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def fit_mlp(
    name: str, views: tuple[str, ...], x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, config: TrainConfig
) -> MLPMember:
    """``mlp_seeds`` networks relu(x·W1 + b1)·w2 + b2 (``mlp_hidden`` units, dropout 0.3, Adam —
    lazy for W1 — on the weighted log-loss, batches of 128, ``mlp_epochs`` passes, more on small
    corpora), averaged: the mean of the networks is one network with their hidden units side by
    side and the output weights divided by their number."""
    parts = [_fit_one_mlp(x, y, w, config, seed=config.seed + k) for k in range(config.mlp_seeds)]
    k = len(parts)
    return MLPMember(
        name,
        views,
        w1=np.hstack([p[0] for p in parts]).astype(np.float16).astype(np.float32),  # as stored
        b1=np.concatenate([p[1] for p in parts]).astype(np.float32),
        w2=(np.concatenate([p[2] for p in parts]) / k).astype(np.float32),
        b2=float(sum(p[3] for p in parts) / k),
    )


def _fit_one_mlp(x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, config: TrainConfig, *, seed: int) -> tuple:
    import torch
    from torch import nn

    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    n, width = x.shape
    hidden = config.mlp_hidden
    emb = nn.EmbeddingBag(width, hidden, mode="sum", sparse=True)
    nn.init.normal_(emb.weight, 0.0, 0.05)
    b1 = nn.Parameter(torch.zeros(hidden))
    out = nn.Linear(hidden, 1)
    drop = nn.Dropout(0.3)
    dense_opt = torch.optim.Adam([b1, *out.parameters()], lr=1e-3)
    sparse_opt = torch.optim.SparseAdam(list(emb.parameters()), lr=1e-3)
    x = x.tocsr().astype(np.float32)
    yt = torch.from_numpy(y.astype(np.float32))
    wt = torch.from_numpy(w.astype(np.float32))
    batch = 128
    epochs = max(config.mlp_epochs, math.ceil(config.mlp_min_updates / math.ceil(n / batch)))
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            xb = x[rows]
            h = emb(
                torch.from_numpy(xb.indices.astype(np.int64)),
                torch.from_numpy(xb.indptr[:-1].astype(np.int64)),
                per_sample_weights=torch.from_numpy(xb.data),
            )
            logit = out(drop(torch.relu(h + b1))).squeeze(-1)
            loss = (nn.functional.binary_cross_entropy_with_logits(logit, yt[rows], reduction="none") * wt[rows]).mean()
            dense_opt.zero_grad()
            sparse_opt.zero_grad()
            loss.backward()
            dense_opt.step()
            sparse_opt.step()
    return (
        emb.weight.detach().numpy(),
        b1.detach().numpy(),
        out.weight.detach().numpy().ravel(),
        float(out.bias.detach().numpy()[0]),
    )


def fit_stacker(decisions: np.ndarray, y: np.ndarray) -> Stacker:
    """Logistic regression (C = 1) on held-out decision values: ensemble weights and calibration."""
    lr = LogisticRegression(C=1.0)
    lr.fit(decisions, y)
    return Stacker(coef=lr.coef_.ravel().astype(float), intercept=float(lr.intercept_[0]))


def _smoothed(hits: int, n: int) -> float:
    return (hits + 1) / (n + 2)


def fit_lexicon_layer(
    signals: list[list[tuple[str, int]]],
    lengths: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    *,
    min_count: int,
    max_morphemes: int,
) -> tuple[LexiconLayer, dict]:
    """The lexicon layer from the training ``rows`` (``lengths``: morphemes per text): the slang
    phrases seen fewer than ``min_count`` times, and the lexicon's precision (Laplace-smoothed)
    where it reads a negated negative confidently (short texts, unanimous signals) and for the
    slang phrases seen at least ``min_count`` times."""
    seen = dict.fromkeys(POLARITY_PHRASES, 0)
    phrase_hits = phrase_n = neg_hits = neg_n = 0
    for idx in rows:
        row = signals[idx]
        for kind, _ in row:
            if kind.startswith("phrase:"):
                seen[kind.removeprefix("phrase:")] += 1
        signs = {polarity for _, polarity in row}
        short = lengths[idx] <= max_morphemes
        if short and len(signs) == 1 and any(kind == "negated-negative" for kind, _ in row):
            neg_n += 1
            neg_hits += int(y[idx] == 1)
    frequent = {phrase for phrase, count in seen.items() if count >= min_count}
    for idx in rows:
        for kind, polarity in signals[idx]:
            if kind.startswith("phrase:") and kind.removeprefix("phrase:") in frequent:
                phrase_n += 1
                phrase_hits += int(y[idx] == (1 if polarity > 0 else 0))
    layer = LexiconLayer(
        negation_floor=round(_smoothed(neg_hits, neg_n), 4),
        phrase_floor=round(_smoothed(phrase_hits, phrase_n), 4),
        phrases=frozenset(phrase for phrase, count in seen.items() if count < min_count),
        max_morphemes=max_morphemes,
    )
    stats = {
        "negated_negative_reviews": neg_n,
        "negated_negative_positive": neg_hits,
        "frequent_phrase_hits": phrase_n,
        "frequent_phrase_correct": phrase_hits,
        "phrase_counts": seen,
    }
    return layer, stats


def _vectorizers(config: TrainConfig) -> list[View]:
    morph_like = {"tokenizer": split_tokens, "token_pattern": None, "lowercase": False}
    common = {"min_df": config.min_df, "sublinear_tf": True, "dtype": np.float32}
    return [
        View("char", "text", TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, **common)),
        View("morph", "morph", TfidfVectorizer(ngram_range=config.morph_ngrams, **morph_like, **common)),
        View("lexicon", "lexicon", TfidfVectorizer(**morph_like, **common)),
    ]


def train(
    config: TrainConfig, *, progress: Progress | None = None, log: Callable[[str], None] = lambda s: None
) -> SentimentModel:
    """Fit the model; ``progress`` makes progress bars, ``log`` reports the steps."""
    unknown = set(config.members) - set(MEMBERS)
    if unknown or not config.members:
        raise ValueError(f"unknown members: {sorted(unknown)}")
    nsmc = load_corpus(config.data_dir, "nsmc_train")
    shop = load_corpus(config.data_dir, "sentineg_train")
    n = len(nsmc.texts) if config.nsmc_limit is None else min(config.nsmc_limit, len(nsmc.texts))
    if n < len(nsmc.texts):  # tokenise only what is used (make demo)
        nsmc = Corpus(name=f"{nsmc.name}-first{n}", texts=nsmc.texts[:n], labels=nsmc.labels[:n])
    nsmc_morphs = corpus_morphs(config, nsmc, progress)
    shop_morphs = corpus_morphs(config, shop, progress)
    texts = [normalize(t) for t in nsmc.texts[:n] + shop.texts]
    morphs = nsmc_morphs[:n] + shop_morphs
    inputs = {
        "text": texts,
        "morph": morphs,
        "lexicon": [lexicon_string(t, m) for t, m in zip(texts, morphs, strict=True)],
    }
    y = np.asarray(nsmc.labels[:n] + shop.labels)
    weights = np.ones(len(y))
    weights[n:] = config.sentineg_weight

    log(f"TF-IDF: {len(texts)}건 (NSMC {n}, SentiNeg {len(shop.texts)})")
    used = {view for name in config.members if MEMBERS[name][0] not in SEQUENCE_KINDS for view in MEMBERS[name][1]}
    views = [v for v in _vectorizers(config) if v.name in used]
    mats = {v.name: v.vectorizer.fit_transform(inputs[v.source]).tocsr() for v in views}
    log("특성 " + ", ".join(f"{name} {m.shape[1]}개" for name, m in mats.items()))

    held = holdout_mask(n, len(shop.texts), config.holdout, config.seed)
    kinds = [name for name in config.members if MEMBERS[name][0] not in TORCH_KINDS or torch_available()]
    for name in sorted(set(config.members) - set(kinds)):
        log(f"{name}: torch 가 없어 건너뜁니다 (requirements-dev.txt)")
    token_seqs = {
        source: sequences(source, texts, morphs)
        for source in {MEMBERS[name][1][0] for name in kinds if MEMBERS[name][0] in SEQUENCE_KINDS}
    }

    def fit_members(rows: np.ndarray) -> list:
        members = []
        for name in kinds:
            kind, member_views = MEMBERS[name]
            log(f"{name} 학습 ({len(rows)}건)")
            if kind in SEQUENCE_KINDS:
                seqs = [token_seqs[member_views[0]][i] for i in rows]
                fit = fit_cnn if kind == "cnn" else fit_gru
                members.append(fit(name, member_views[0], seqs, y[rows], weights[rows], config))
                continue
            x = sp.hstack([mats[v] for v in member_views], format="csr")[rows]
            if kind == "lr":
                members.append(fit_nb_lr(name, member_views, x, y[rows], weights[rows], config.C))
            else:
                members.append(fit_mlp(name, member_views, x, y[rows], weights[rows], config))
        return members

    model = SentimentModel(views=views, members=fit_members(np.flatnonzero(~held)), stacker=Stacker(np.ones(1), 0.0))
    held_idx = np.flatnonzero(held)
    log(f"스태킹·보정 ({len(held_idx)}건)")
    held_decisions = model.decisions([texts[i] for i in held_idx], [morphs[i] for i in held_idx])
    model.stacker = fit_stacker(held_decisions, y[held])
    layer_info: dict = {}
    if config.lexicon_layer:
        signals = [lexicon_signals(t, m) for t, m in zip(texts, morphs, strict=True)]
        lengths = np.array([len(m.split()) for m in morphs])
        layer_args = {"min_count": config.phrase_min_count, "max_morphemes": config.layer_max_morphemes}
        layer, _ = fit_lexicon_layer(signals, lengths, y, np.flatnonzero(~held), **layer_args)
        layer_info["validation"] = _layer_validation(
            layer,
            model.stacker.predict(held_decisions),
            [texts[i] for i in held_idx],
            [morphs[i] for i in held_idx],
            y[held],
            held_idx >= n,
        )
        log(f"어휘 규칙 (검증): {layer_info['validation']}")
    if config.refit:
        log("최종 학습 (전체)")
        model.members = fit_members(np.arange(len(y)))
    if config.lexicon_layer:
        rows = np.arange(len(y)) if config.refit else np.flatnonzero(~held)
        model.lexicon_layer, layer_info["estimate"] = fit_lexicon_layer(signals, lengths, y, rows, **layer_args)
        layer_info["negation_floor"] = model.lexicon_layer.negation_floor
        layer_info["phrase_floor"] = model.lexicon_layer.phrase_floor
        layer_info["phrases"] = sorted(model.lexicon_layer.phrases)

    idf, default_idf, n_docs = document_frequencies(items_from_morphs(m) for m in morphs)
    model.keyword_idf, model.keyword_default_idf = idf, default_idf
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()}
    params["members"] = [m.name for m in model.members]
    model.info = {
        "attribution": ATTRIBUTION,
        "train_rows": {"nsmc": n, "sentineg": len(shop.texts), "held_out": len(held_idx)},
        "features": {name: int(m.shape[1]) for name, m in mats.items()},
        "stacker": {
            "members": [m.name for m in model.members],
            "coef": [round(float(c), 4) for c in model.stacker.coef],
        },
        "keyword_corpus_docs": n_docs,
        "lexicon_layer": layer_info,
        "config": params,
    }
    return model


def _layer_validation(
    layer: LexiconLayer, probs: np.ndarray, texts: list[str], morphs: list[str], y: np.ndarray, shop: np.ndarray
) -> dict:
    """Accuracy on the validation split without and with the lexicon layer (NSMC / SentiNeg rows),
    and on the reviews where it changes the polarity call."""
    after = layer.apply(probs, texts, morphs)
    fired = np.array([layer.bounds(t, m) != (0.0, 1.0) for t, m in zip(texts, morphs, strict=True)])
    flipped = (probs >= 0.5) != (after >= 0.5)
    out = {"fired": int(fired.sum()), "flipped": int(flipped.sum())}
    for name, rows in (("nsmc", ~shop), ("sentineg", shop)):
        out[name] = {
            "n": int(rows.sum()),
            "before": round(float(((probs[rows] >= 0.5) == y[rows]).mean()), 4) if rows.any() else None,
            "after": round(float(((after[rows] >= 0.5) == y[rows]).mean()), 4) if rows.any() else None,
        }
    out["flipped_right_after"] = int(((after[flipped] >= 0.5) == y[flipped]).sum())
    return out
