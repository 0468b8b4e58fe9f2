"""Fitting the recommender as of a date, choosing its parts by measurement, and the offline
evaluation protocol (``train_product_recs``, ``evaluate_product_recs``).

Protocol (both for choosing the model and for ``evaluate_product_recs``): a time split. Fit on
purchases before the cutoff, then for every buyer who had bought something before it and
buys products *new to them* in the next ``days``, recommend ``k`` products they had not
bought (active ones only) and compare with those new products: hit-rate@k, NDCG@k,
precision@k, recall@k, and catalogue coverage (share of candidate products recommended to
anyone).

Training holds out ``validation_folds`` windows of ``validation_days`` before the as-of date
(the newest first): for each, the parts are fitted on what came before it; pooling the
buyers of all windows, ``item_knn`` and ``als`` compete for the ``collaborative`` slot and the
hybrid weights are searched on a grid (step ``weight_step``) for the best validation
hit-rate@10 (NDCG@10 breaks ties). The final model is then refitted on everything up to the
as-of date with the chosen settings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from .content import content_features
from .data import Catalog, PurchaseLog, Signals, catalog_load, day_end, purchases_load, ratings_load, signals_load
from .engine import (
    DAY,
    Interactions,
    RecParams,
    ShopRecModel,
    als_fit,
    content_neighbours,
    copurchase_fit,
    interactions_build,
    item_knn_fit,
    popularity,
)

K = 10
ALGORITHMS = ("hybrid", "collaborative", "item_knn", "als", "content_based", "popular_all_time", "popular_30d")
SCORE_BUDGET = 4_000_000  # users × products held at once while searching weights
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def model_fit(
    *,
    log: PurchaseLog,
    signals: Signals | None,
    catalog: Catalog,
    as_of: dt.date,
    cutoff: float,
    params: RecParams,
    features: sp.csr_matrix | None = None,
    with_als: bool = True,
    progress: Progress = _quiet,
) -> tuple[ShopRecModel, Interactions]:
    """Fit every part on ``log`` (lines before ``cutoff``)."""
    log = log.before(cutoff)
    inter = interactions_build(log=log, signals=signals, product_ids=catalog.ids, cutoff=cutoff, params=params)
    if features is None:
        progress("상품 내용 특징 (Kiwi 형태소)")
        features = content_features(catalog)
    progress(f"item-kNN ({inter.strength.shape[0]:,}명 × {len(catalog.ids):,}개)")
    knn = item_knn_fit(inter.strength, neighbours=params.knn_neighbours, shrink=params.knn_shrink)
    als = None
    if with_als and inter.strength.nnz:
        progress("ALS")
        als = als_fit(inter.strength, params=params)
    progress("함께 구매 (lift, 최소 지지도)")
    co = copurchase_fit(log=log, product_ids=catalog.ids, min_support=params.min_support, top=params.related_top)
    related = content_neighbours(features, top=params.related_top)
    model = ShopRecModel(
        as_of=as_of,
        cutoff=cutoff,
        params=params.as_dict(),
        product_ids=catalog.ids,
        active=catalog.active,
        features=features,
        knn=knn,
        als_items=als,
        content_related=related,
        copurchase=co,
        pop_all=popularity(log=log, product_ids=catalog.ids),
        pop_recent=popularity(log=log, product_ids=catalog.ids, start=cutoff - params.recent_days * DAY),
    )
    return model, inter


@dataclass
class EvalSet:
    rows: np.ndarray  # rows of the interactions matrix
    relevant: list[np.ndarray]  # product indices new to the buyer, bought in the window


def eval_set(*, inter: Interactions, test: PurchaseLog, product_ids: np.ndarray) -> EvalSet:
    """Buyers with history before the cutoff and their purchases of new products after it."""
    ok = np.isin(test.product, product_ids) & np.isin(test.buyer, inter.user_ids)
    rows = np.searchsorted(inter.user_ids, test.buyer[ok])
    items = np.searchsorted(product_ids, test.product[ok])
    n = len(product_ids)
    keys = np.unique(rows.astype(np.int64) * n + items)
    pairs = np.stack([keys // n, keys % n])
    has_history = np.diff(inter.bought.indptr) > 0
    new = np.asarray(inter.bought[pairs[0], pairs[1]]).ravel() == 0 if pairs.shape[1] else np.zeros(0, bool)
    keep = new & has_history[pairs[0]] if pairs.shape[1] else new
    pairs = pairs[:, keep]
    users, starts = np.unique(pairs[0], return_index=True)
    relevant = np.split(pairs[1], starts[1:]) if len(users) else []
    return EvalSet(rows=users, relevant=relevant)


def top_k(score: np.ndarray, exclude: sp.csr_matrix, allowed: np.ndarray, k: int = K) -> np.ndarray:
    s = np.where(allowed[None, :], score, -np.inf).astype(np.float32)
    ex = exclude.tocoo()
    s[ex.row, ex.col] = -np.inf
    k = min(k, s.shape[1])
    idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(s, idx, axis=1), axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, axis=1)
    ok = np.isfinite(np.take_along_axis(s, idx, axis=1))
    return np.where(ok, idx, -1)


def ranking_metrics(top: np.ndarray, relevant: list[np.ndarray], n_candidates: int, k: int = K) -> dict:
    """hit-rate, NDCG, precision, recall @k and catalogue coverage of recommendation lists
    (``top``: users × k product indices, -1 for an empty slot)."""
    if not len(relevant):
        return {"users": 0, "hit_rate": 0.0, "ndcg": 0.0, "precision": 0.0, "recall": 0.0, "coverage": 0.0}
    top = top[:, :k]
    n_users = len(relevant)
    sizes = np.array([len(r) for r in relevant])
    width = int(max(top.max(initial=0), max((int(r.max()) for r in relevant if len(r)), default=0))) + 1
    rel = sp.csr_matrix(
        (np.ones(int(sizes.sum()), dtype=np.int8), (np.repeat(np.arange(n_users), sizes), np.concatenate(relevant))),
        shape=(n_users, width),
    )
    rows = np.repeat(np.arange(n_users), top.shape[1])
    cols = top.ravel()
    ok = cols >= 0
    got = np.zeros(len(cols), dtype=bool)
    got[ok] = np.asarray(rel[rows[ok], cols[ok]]).ravel() > 0
    got = got.reshape(top.shape)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = got.sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(sizes, k) - 1]
    ndcg = (got * discounts[: top.shape[1]]).sum(axis=1) / ideal
    shown = np.unique(top[top >= 0])
    return {
        "users": n_users,
        "hit_rate": round(float((hits > 0).mean()), 4),
        "ndcg": round(float(ndcg.mean()), 4),
        "precision": round(float(hits.mean() / k), 4),
        "recall": round(float((hits / sizes).mean()), 4),
        "coverage": round(len(shown) / max(1, n_candidates), 4),
    }


def model_evaluate(
    *,
    model: ShopRecModel,
    inter: Interactions,
    evalset: EvalSet,
    algorithms: tuple[str, ...] = ALGORITHMS,
    chunk: int = 1000,
) -> dict[str, dict]:
    """Metrics of each algorithm on ``evalset`` (lists exclude bought and inactive products)."""
    allowed = model.active.copy()
    tops: dict[str, list[np.ndarray]] = {a: [] for a in algorithms}
    for start in range(0, len(evalset.rows), chunk):
        rows = evalset.rows[start : start + chunk]
        r = inter.strength[rows]
        bought = inter.bought[rows]
        needed = {"cf", "content", "item_knn"} | ({"als"} if model.als_items is not None else set())
        parts = model.parts(r, tuple(needed))
        for a in algorithms:
            if a == "als" and model.als_items is None:
                continue
            weights = model.algorithm_weights(a)
            score = model.blend(parts, weights, len(rows))
            tops[a].append(top_k(score, bought, allowed))
    n_candidates = int(allowed.sum())
    return {a: ranking_metrics(np.vstack(t), evalset.relevant, n_candidates) for a, t in tops.items() if t}


def _weight_grid(step: float) -> list[dict[str, float]]:
    n = round(1 / step)
    grid = []
    for a, b, c in itertools.product(range(n + 1), repeat=3):
        d = n - a - b - c
        if d >= 0:
            grid.append({"cf": a / n, "content": b / n, "pop_recent": c / n, "pop_all": d / n})
    return grid


@dataclass
class _Fold:
    model: ShopRecModel
    parts: dict[str, np.ndarray]
    bought: sp.csr_matrix
    relevant: list[np.ndarray]


def _fold(*, model: ShopRecModel, inter: Interactions, evalset: EvalSet, params: RecParams, cap: int) -> _Fold:
    rng = np.random.default_rng(params.seed)
    pick = np.sort(rng.choice(len(evalset.rows), size=min(cap, len(evalset.rows)), replace=False))
    rows = evalset.rows[pick]
    names = ("item_knn", "als", "content") if model.als_items is not None else ("item_knn", "content")
    return _Fold(
        model=model,
        parts=model.parts(inter.strength[rows], names),
        bought=inter.bought[rows],
        relevant=[evalset.relevant[i] for i in pick],
    )


def choose_by_validation(*, folds: list[_Fold], params: RecParams, progress: Progress = _quiet) -> dict:
    """Pick the collaborative part and the hybrid weights on validation windows, pooling the
    buyers of every window (one window alone is noisy on a small shop)."""
    relevant = [r for f in folds for r in f.relevant]
    n_cand = int(folds[0].model.active.sum())

    def measure(weights: dict) -> dict:
        tops = [top_k(f.model.blend(f.parts, weights, f.bought.shape[0]), f.bought, f.model.active) for f in folds]
        return ranking_metrics(np.vstack(tops), relevant, n_cand)

    names = [n for n in ("item_knn", "als", "content") if all(n in f.parts for f in folds)]
    single = {name: measure({name: 1.0, "pop_recent": 1e-3}) for name in names}
    single["popular_30d"] = measure({"pop_recent": 1.0, "pop_all": 1e-3})
    single["popular_all_time"] = measure({"pop_all": 1.0, "pop_recent": 1e-3})
    cf_names = [n for n in ("item_knn", "als") if n in single]
    collaborative = max(cf_names, key=lambda n: (single[n]["hit_rate"], single[n]["ndcg"]))
    for f in folds:
        f.parts["cf"] = f.parts[collaborative]
    progress(f"협업 필터링: {collaborative} 선택, 가중치 탐색")
    best, best_m = None, None
    for w in _weight_grid(params.weight_step):
        m = measure(w)
        if best_m is None or (m["hit_rate"], m["ndcg"]) > (best_m["hit_rate"], best_m["ndcg"]):
            best, best_m = w, m
    return {
        "collaborative": collaborative,
        "weights": best,
        "hybrid": best_m,
        "parts": single,
        "users": len(relevant),
        "windows": len(folds),
    }


@dataclass
class TrainResult:
    model: ShopRecModel
    inter: Interactions
    metrics: dict
    log: PurchaseLog
    catalog: Catalog


def recs_train(
    *, as_of: dt.date, params: RecParams | None = None, progress: Progress = _quiet, log: PurchaseLog | None = None
) -> TrainResult:
    """Fit the recommender on everything up to the end of ``as_of``, choosing the
    collaborative part and the hybrid weights on the last ``validation_days`` before it."""
    params = params or RecParams()
    started = time.perf_counter()
    cutoff_dt = day_end(as_of)
    cutoff = cutoff_dt.timestamp()
    with threadpool_limits(limits=params.threads):
        progress("구매 기록 읽기")
        log = purchases_load(end=cutoff_dt) if log is None else log.before(cutoff)
        if not len(log):
            raise ValueError(f"{as_of} 이전 구매 기록이 없습니다")
        signals = signals_load(end=cutoff_dt)
        catalog = catalog_load(end=cutoff_dt)
        progress("상품 내용 특징 (Kiwi 형태소)")
        features = content_features(catalog)
        choice: dict = {}
        folds: list[_Fold] = []
        cap = max(200, min(params.validation_users, SCORE_BUDGET // max(1, len(catalog.ids))))
        for f in range(params.validation_folds):
            # window f: fit before [val_cut, val_end), validate on it (newest window first)
            val_end = cutoff - f * params.validation_days * DAY
            val_cut = val_end - params.validation_days * DAY
            inner_log = log.before(val_cut)
            if not len(inner_log):
                break
            progress(f"검증 구간 {f + 1}: {params.validation_days}일")
            vmodel, vinter = model_fit(
                log=inner_log,
                signals=signals_load(end=dt.datetime.fromtimestamp(val_cut, tz=cutoff_dt.tzinfo)),
                catalog=catalog,
                as_of=as_of - dt.timedelta(days=(f + 1) * params.validation_days),
                cutoff=val_cut,
                params=params,
                features=features,
            )
            vset = eval_set(inter=vinter, test=log.between(val_cut, val_end), product_ids=catalog.ids)
            if len(vset.rows):
                folds.append(_fold(model=vmodel, inter=vinter, evalset=vset, params=params, cap=cap))
        if sum(len(f.relevant) for f in folds) >= 20:
            choice = choose_by_validation(folds=folds, params=params, progress=progress)
        del folds
        progress("전체 기간으로 다시 학습")
        model, inter = model_fit(
            log=log, signals=signals, catalog=catalog, as_of=as_of, cutoff=cutoff, params=params, features=features
        )
        model.rating_avg = ratings_load(end=cutoff_dt, product_ids=catalog.ids)
        if choice:
            model.collaborative = choice["collaborative"]
            model.weights = choice["weights"]
        model.validation = choice
    metrics = {
        "validation": choice or {"note": "검증 구간의 구매자가 부족해 기본 가중치를 사용"},
        "collaborative": model.collaborative,
        "weights": model.weights,
        "products": int(model.n_items),
        "buyers": int(inter.strength.shape[0]),
        "order_lines": len(log),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return TrainResult(model=model, inter=inter, metrics=metrics, log=log, catalog=catalog)


def recs_evaluate(*, as_of: dt.date, days: int, params: RecParams | None = None, progress: Progress = _quiet) -> dict:
    """Train as of ``as_of`` (the full recipe) and measure every algorithm on the next ``days``."""
    params = params or RecParams()
    cutoff_dt = day_end(as_of)
    log = purchases_load(end=day_end(as_of + dt.timedelta(days=days)))
    result = recs_train(as_of=as_of, params=params, progress=progress, log=log)
    cutoff = cutoff_dt.timestamp()
    test = log.between(cutoff, cutoff + days * DAY)
    evalset = eval_set(inter=result.inter, test=test, product_ids=result.model.product_ids)
    progress(f"평가: 구매자 {len(evalset.rows):,}명")
    with threadpool_limits(limits=params.threads):
        metrics = model_evaluate(model=result.model, inter=result.inter, evalset=evalset)
    return {
        "as_of": as_of.isoformat(),
        "days": days,
        "test_buyers": len(evalset.rows),
        "test_pairs": int(sum(len(r) for r in evalset.relevant)),
        "algorithms": metrics,
        "collaborative": result.model.collaborative,
        "weights": result.model.weights,
        "train": result.metrics,
    }
