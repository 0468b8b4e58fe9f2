"""Train the review sentiment model on NSMC + KoBEST SentiNeg (docs/sentiment.md).

Steps: Kiwi morphemes of every text (cached under the system temp dir, keyed by the corpus
bytes and the Kiwi version: tokenising 150k texts takes minutes), TF-IDF over character and
morpheme n-grams fitted on all training texts, optional naive-Bayes scaling, then a logistic
regression with the shopping reviews (SentiNeg) up-weighted; with ``members="nb+plain"`` the mean
of an NB-LR and a plain LR (an ensemble, each decision scaled to unit spread). Calibration: the
model is fitted on 90% of the training data (stratified by label and domain), its decision values
on the other 10% are mapped to P(positive) (Platt sigmoid or isotonic), then the final model is
fitted on everything. (A k-fold cross-fit would be a little tighter but costs k more fits.)
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from .analysis import document_frequencies, items_from_morphs
from .data import ATTRIBUTION, Corpus, load_corpus
from .model import Member, SentimentModel, SigmoidCalibrator
from .text import morph_strings, normalize, split_tokens

Progress = Callable[[str, int], object]  # (description, total) -> a tqdm-like bar


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path
    nsmc_limit: int | None = None  # fast mode: the first N NSMC training texts
    sentineg_weight: float = 5.0
    C: float = 4.0
    members: str = "nb"  # "nb" (NB-LR), "plain" (LR) or "nb+plain" (mean of both)
    calibration: str = "sigmoid"  # or "isotonic"
    calibration_holdout: float = 0.1
    char_ngrams: tuple[int, int] = (1, 5)
    morph_ngrams: tuple[int, int] = (1, 3)
    min_df: int = 2
    cache_dir: Path | None = None  # default: the system temp dir


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


def _nb_ratio(x: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    p = alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


MEMBER_KINDS = {"nb": ("nb",), "plain": ("plain",), "nb+plain": ("nb", "plain")}


def _fit_members(x: sp.csr_matrix, y: np.ndarray, weights: np.ndarray, config: TrainConfig) -> list[Member]:
    members = []
    for kind in MEMBER_KINDS[config.members]:
        ratio = _nb_ratio(x, y) if kind == "nb" else None
        xs = x @ sp.diags(ratio) if ratio is not None else x
        clf = LogisticRegression(C=config.C, solver="liblinear", max_iter=2000)
        clf.fit(xs, y, sample_weight=weights)
        member = Member(classifier=clf, nb_ratio=ratio)
        member.fold()
        if len(MEMBER_KINDS[config.members]) > 1:
            member.scale = float(np.std(member.decision(x))) or 1.0
        members.append(member)
    return members


def _decision(members: list[Member], x: sp.csr_matrix) -> np.ndarray:
    return np.mean([m.decision(x) for m in members], axis=0)


def fit_calibrator(decision: np.ndarray, y: np.ndarray, method: str) -> object:
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(decision, y)
        return iso
    platt = LogisticRegression(C=1e6)
    platt.fit(decision.reshape(-1, 1), y)
    return SigmoidCalibrator(a=float(platt.coef_[0, 0]), b=float(platt.intercept_[0]))


def train(
    config: TrainConfig, *, progress: Progress | None = None, log: Callable[[str], None] = lambda s: None
) -> SentimentModel:
    """Fit the model; ``progress`` makes progress bars, ``log`` reports the steps."""
    nsmc = load_corpus(config.data_dir, "nsmc_train")
    shop = load_corpus(config.data_dir, "sentineg_train")
    n = len(nsmc.texts) if config.nsmc_limit is None else min(config.nsmc_limit, len(nsmc.texts))
    if n < len(nsmc.texts):  # tokenise only what is used (make demo)
        nsmc = Corpus(name=f"{nsmc.name}-first{n}", texts=nsmc.texts[:n], labels=nsmc.labels[:n])
    nsmc_morphs = corpus_morphs(config, nsmc, progress)
    shop_morphs = corpus_morphs(config, shop, progress)
    texts = [normalize(t) for t in nsmc.texts[:n] + shop.texts]
    morphs = nsmc_morphs[:n] + shop_morphs
    y = np.asarray(nsmc.labels[:n] + shop.labels)
    weights = np.ones(len(y))
    weights[n:] = config.sentineg_weight
    is_shop = np.zeros(len(y), dtype=bool)
    is_shop[n:] = True

    log(f"TF-IDF: {len(texts)}건 (NSMC {n}, SentiNeg {len(shop.texts)})")
    char_vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=config.char_ngrams, min_df=config.min_df, sublinear_tf=True, dtype=np.float32
    )
    morph_vec = TfidfVectorizer(
        tokenizer=split_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=config.morph_ngrams,
        min_df=config.min_df,
        sublinear_tf=True,
        dtype=np.float32,
    )
    x = sp.hstack([char_vec.fit_transform(texts), morph_vec.fit_transform(morphs)]).tocsr()
    log(f"특성 {x.shape[1]}개")

    # Held-out decision values for the calibrator (stratified by label and domain).
    fit_idx, held_idx = train_test_split(
        np.arange(len(y)), test_size=config.calibration_holdout, stratify=y + 2 * is_shop, random_state=0
    )
    log(f"보정용 학습 ({len(fit_idx)}건, 보정 {len(held_idx)}건)")
    members = _fit_members(x[fit_idx], y[fit_idx], weights[fit_idx], config)
    calibrator = fit_calibrator(_decision(members, x[held_idx]), y[held_idx], config.calibration)

    log("최종 학습")
    members = _fit_members(x, y, weights, config)

    idf, default_idf, n_docs = document_frequencies(items_from_morphs(m) for m in morphs)
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()}
    return SentimentModel(
        char_vectorizer=char_vec,
        morph_vectorizer=morph_vec,
        members=members,
        calibrator=calibrator,
        keyword_idf=idf,
        keyword_default_idf=default_idf,
        info={
            "attribution": ATTRIBUTION,
            "train_rows": {"nsmc": n, "sentineg": len(shop.texts)},
            "features": int(x.shape[1]),
            "keyword_corpus_docs": n_docs,
            "config": params,
        },
    )
