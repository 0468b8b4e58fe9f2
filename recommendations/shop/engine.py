"""The product recommender: its parts, how they are fitted and how they score.

Pure numpy/scipy (plus ``implicit`` for ALS); nothing here touches the database, so the same
code scores a buyer at request time and thousands of buyers in the offline evaluation.

Buyer × product strength (``strength``)::

    r = log(1 + Σ_lines (1 + ln quantity) · 0.5^(age / half_life)
                + view_weight · views + cart_weight · cart additions + wish_weight · wishlisted)

with ``age`` measured from the model's as-of instant (never the wall clock). Parts:

- ``item_knn``: cosine similarity between product columns of ``r`` (with a small shrinkage),
  the ``knn_neighbours`` nearest kept per product; a buyer's score is Σ_j r_j · sim(j, i).
- ``als``: implicit-feedback matrix factorisation (Hu, Koren & Volinsky; ``implicit``), the
  buyer's factors re-solved from their row at scoring time (fold-in), so buyers who arrived
  after training are served too.
- ``content``: cosine between the product's content features (``content.py``) and the
  buyer's strength-weighted profile.
- ``pop_recent`` / ``pop_all``: distinct buyers in the last ``recent_days`` before the as-of
  date / ever.

``collaborative`` serves whichever of ``item_knn`` and ``als`` won the validation split;
``hybrid`` is ``Σ w_k · part_k`` with each part scaled to [0, 1] per buyer and weights
chosen on the validation split (``training.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp

from .data import PurchaseLog, Signals

DAY = 86400.0
BLOCK = 512
EPS = 1e-9
TIE_BREAK = 1e-3  # popularity share that orders products a part gives no score to


@dataclass
class RecParams:
    """Settings of one training run (saved with the artifact)."""

    half_life_days: float = 180.0
    view_weight: float = 0.1
    cart_weight: float = 0.3
    wish_weight: float = 0.5
    knn_neighbours: int = 100
    knn_shrink: float = 2.0
    als_factors: int = 64
    als_regularization: float = 0.1
    als_alpha: float = 10.0
    als_iterations: int = 15
    recent_days: int = 30
    min_support: int = 3
    related_top: int = 30
    validation_days: int = 30
    validation_folds: int = 2
    validation_users: int = 3000
    weight_step: float = 0.1
    threads: int = 1
    seed: int = 7

    def as_dict(self) -> dict:
        return asdict(self)


def line_strength(qty: np.ndarray, age_days: np.ndarray, half_life: float) -> np.ndarray:
    return (1.0 + np.log(np.maximum(qty, 1.0))) * np.power(0.5, np.maximum(age_days, 0.0) / half_life)


@dataclass
class Interactions:
    """Buyers × products matrices in the catalogue's product order."""

    user_ids: np.ndarray
    strength: sp.csr_matrix  # r (purchases and browsing signals)
    bought: sp.csr_matrix  # 1 where the buyer bought the product (before the cutoff)


def interactions_build(
    *, log: PurchaseLog, signals: Signals | None, product_ids: np.ndarray, cutoff: float, params: RecParams
) -> Interactions:
    """Aggregate order lines and signals (all before ``cutoff``) into buyer × product matrices."""
    n_items = len(product_ids)
    known = np.isin(log.product, product_ids)
    buyers = log.buyer[known]
    items = np.searchsorted(product_ids, log.product[known])
    w = line_strength(log.qty[known].astype(np.float64), (cutoff - log.ts[known]) / DAY, params.half_life_days)
    parts_u, parts_i, parts_w = [buyers], [items], [w]
    if signals is not None and len(signals.customer):
        ok = np.isin(signals.product, product_ids)
        sw = (
            params.view_weight * signals.views[ok]
            + params.cart_weight * signals.carts[ok]
            + params.wish_weight * signals.wished[ok]
        )
        parts_u.append(signals.customer[ok])
        parts_i.append(np.searchsorted(product_ids, signals.product[ok]))
        parts_w.append(sw)
    all_u = np.concatenate(parts_u)
    user_ids, rows = np.unique(all_u, return_inverse=True)
    shape = (len(user_ids), n_items)
    strength = sp.csr_matrix((np.concatenate(parts_w), (rows, np.concatenate(parts_i))), shape=shape)
    strength.sum_duplicates()
    strength.data = np.log1p(strength.data).astype(np.float32)
    strength = strength.astype(np.float32)
    brow = rows[: len(buyers)]
    bought = sp.csr_matrix((np.ones(len(brow), dtype=np.float32), (brow, items)), shape=shape)
    bought.sum_duplicates()
    bought.data[:] = 1.0
    return Interactions(user_ids=user_ids, strength=strength, bought=bought)


def _top_k_rows(dense: np.ndarray, k: int, row_offset: int, keep: np.ndarray | None = None) -> tuple:
    """Row-wise top-k of a dense block as COO parts (rows, cols, values), zeros dropped."""
    if keep is not None:
        dense = np.where(keep, dense, 0.0)
    k = min(k, dense.shape[1])
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, idx, axis=1)
    r = np.repeat(np.arange(dense.shape[0]) + row_offset, k)
    c, v = idx.ravel(), vals.ravel()
    nz = v > 0
    return r[nz], c[nz], v[nz].astype(np.float32)


def item_knn_fit(strength: sp.csr_matrix, *, neighbours: int, shrink: float) -> sp.csr_matrix:
    """Products × products cosine similarity, ``neighbours`` kept per row, diagonal zero."""
    n = strength.shape[1]
    xt = strength.T.tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(xt.multiply(xt).sum(axis=1)).ravel())
    rows, cols, vals = [], [], []
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        dots = (xt[start:stop] @ xt.T).toarray()
        sim = dots / (norms[start:stop, None] * norms[None, :] + shrink + EPS)
        sim[np.arange(stop - start), np.arange(start, stop)] = 0.0
        r, c, v = _top_k_rows(sim, neighbours, start)
        rows.append(r), cols.append(c), vals.append(v)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def content_neighbours(features: sp.csr_matrix, *, top: int) -> sp.csr_matrix:
    n = features.shape[0]
    rows, cols, vals = [], [], []
    ft = features.T.tocsr()
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        sim = (features[start:stop] @ ft).toarray()
        sim[np.arange(stop - start), np.arange(start, stop)] = 0.0
        r, c, v = _top_k_rows(sim, top, start)
        rows.append(r), cols.append(c), vals.append(v)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


@dataclass
class CoPurchase:
    """Per product, partners bought in the same order: Ochiai cosine, support, lift."""

    cosine: sp.csr_matrix
    support: sp.csr_matrix
    lift: sp.csr_matrix
    orders: int


def copurchase_fit(
    *, log: PurchaseLog, product_ids: np.ndarray, min_support: int, top: int, max_p: float = 0.05
) -> CoPurchase:
    """Pairs bought together in at least ``min_support`` orders with lift > 1 that is
    significant (one-sided Poisson test of n_ab against n_a·n_b / N, p < ``max_p``); the
    ``top`` partners per product by cosine ``n_ab / √(n_a·n_b)``.

    lift = n_ab · N / (n_a · n_b) with N orders: how much more often the pair shares a basket
    than two independent products would."""
    n = len(product_ids)
    known = np.isin(log.product, product_ids)
    orders, o_rows = np.unique(log.order[known], return_inverse=True)
    basket = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (o_rows, np.searchsorted(product_ids, log.product[known]))),
        shape=(len(orders), n),
    )
    basket.sum_duplicates()
    basket.data[:] = 1.0
    n_orders = max(1, len(orders))
    bt = basket.T.tocsr()
    count = np.asarray(basket.sum(axis=0)).ravel()
    rows, cols, cos, sup, lif = [], [], [], [], []
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        co = (bt[start:stop] @ basket).toarray()
        co[np.arange(stop - start), np.arange(start, stop)] = 0.0
        denom = count[start:stop, None] * count[None, :]
        lift = np.divide(co * n_orders, denom, out=np.zeros_like(co), where=denom > 0)
        cosine = np.divide(co, np.sqrt(denom), out=np.zeros_like(co), where=denom > 0)
        keep = (co >= min_support) & (lift > 1.0)
        if keep.any():
            from scipy.stats import poisson  # slow to import: only where training needs it

            # one-sided Poisson test: is the pair's count above what independence expects?
            expected = denom[keep] / n_orders
            keep[keep] = poisson.sf(co[keep] - 1, expected) < max_p
        r, c, v = _top_k_rows(cosine, top, start, keep=keep)
        rows.append(r), cols.append(c), cos.append(v)
        sup.append(co[r - start, c].astype(np.float32))
        lif.append(lift[r - start, c].astype(np.float32))
    rr, cc = np.concatenate(rows), np.concatenate(cols)

    def mat(v: list) -> sp.csr_matrix:
        return sp.csr_matrix((np.concatenate(v), (rr, cc)), shape=(n, n))

    return CoPurchase(cosine=mat(cos), support=mat(sup), lift=mat(lif), orders=n_orders)


def als_fit(strength: sp.csr_matrix, *, params: RecParams) -> np.ndarray:
    """Item factors of implicit-feedback ALS (confidence 1 + α·r)."""
    from implicit.cpu.als import AlternatingLeastSquares

    conf = strength.copy().astype(np.float32)
    conf.data = 1.0 + params.als_alpha * conf.data
    model = AlternatingLeastSquares(
        factors=params.als_factors,
        regularization=params.als_regularization,
        alpha=1.0,
        iterations=params.als_iterations,
        calculate_training_loss=False,
        random_state=params.seed,
        num_threads=params.threads,
    )
    model.fit(conf, show_progress=False)
    return np.ascontiguousarray(model.item_factors, dtype=np.float32)


def popularity(*, log: PurchaseLog, product_ids: np.ndarray, start: float | None = None) -> np.ndarray:
    """Distinct buyers per product (of lines at or after ``start``)."""
    m = np.isin(log.product, product_ids)
    if start is not None:
        m &= log.ts >= start
    n = len(product_ids)
    items = np.searchsorted(product_ids, log.product[m])
    pairs = np.unique(log.buyer[m] * n + items)  # one key per (buyer, product)
    return np.bincount(pairs % n, minlength=n).astype(np.float32)


def normalize(m: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(inv.astype(np.float32)) @ m)


def _scale_rows(m: np.ndarray) -> np.ndarray:
    top = m.max(axis=1, keepdims=True)
    return np.divide(m, top, out=np.zeros_like(m), where=top > EPS)


@dataclass
class ShopRecModel:
    """The trained artifact (saved in ``ml.registry`` as ``shop_product_recs``)."""

    as_of: dt.date
    cutoff: float  # epoch seconds: end of the as-of day
    params: dict
    product_ids: np.ndarray
    active: np.ndarray
    features: sp.csr_matrix
    knn: sp.csr_matrix
    als_items: np.ndarray | None
    content_related: sp.csr_matrix
    copurchase: CoPurchase
    pop_all: np.ndarray
    pop_recent: np.ndarray
    collaborative: str = "item_knn"
    weights: dict = field(default_factory=lambda: {"cf": 0.4, "content": 0.2, "pop_recent": 0.3, "pop_all": 0.1})
    validation: dict = field(default_factory=dict)
    rating_avg: np.ndarray | None = None  # mean review rating as of the cutoff (NaN: none)

    def __post_init__(self) -> None:
        self._prepare()

    def _prepare(self) -> None:
        self._features_t = self.features.T.tocsr()
        self._pop_recent_n = np.log1p(self.pop_recent) / max(np.log1p(self.pop_recent.max(initial=0)), EPS)
        self._pop_all_n = np.log1p(self.pop_all) / max(np.log1p(self.pop_all.max(initial=0)), EPS)
        if self.als_items is not None:
            y = self.als_items.astype(np.float64)
            self._yty = y.T @ y
        self._index = {int(p): i for i, p in enumerate(self.product_ids)}

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._prepare()

    # ---- lookups -------------------------------------------------------------------
    def index_of(self, product_id: int) -> int | None:
        return self._index.get(int(product_id))

    def rating_of(self, product_id: int) -> float | None:
        i = self.index_of(product_id)
        if i is None or self.rating_avg is None or np.isnan(self.rating_avg[i]):
            return None
        return round(float(self.rating_avg[i]), 1)

    @property
    def n_items(self) -> int:
        return len(self.product_ids)

    # ---- parts ---------------------------------------------------------------------
    def part_item_knn(self, r: sp.csr_matrix) -> np.ndarray:
        return (r @ self.knn).toarray()

    def part_als(self, r: sp.csr_matrix) -> np.ndarray:
        if self.als_items is None:
            return np.zeros(r.shape, dtype=np.float32)
        y = self.als_items.astype(np.float64)
        p = self.params
        base = self._yty + p["als_regularization"] * np.eye(y.shape[1])
        users = np.zeros((r.shape[0], y.shape[1]))
        for u in range(r.shape[0]):
            lo, hi = r.indptr[u], r.indptr[u + 1]
            if lo == hi:
                continue
            idx, c = r.indices[lo:hi], 1.0 + p["als_alpha"] * r.data[lo:hi].astype(np.float64)
            yi = y[idx]
            users[u] = np.linalg.solve(base + (yi.T * (c - 1.0)) @ yi, yi.T @ c)
        return np.clip(users @ y.T, 0.0, None)

    def part_content(self, r: sp.csr_matrix) -> np.ndarray:
        profile = normalize(r @ self.features)
        return np.clip((profile @ self._features_t).toarray(), 0.0, None)

    def parts(self, r: sp.csr_matrix, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name in names:
            if name == "cf":
                out[name] = self.part_item_knn(r) if self.collaborative == "item_knn" else self.part_als(r)
            elif name == "item_knn":
                out[name] = self.part_item_knn(r)
            elif name == "als":
                out[name] = self.part_als(r)
            elif name == "content":
                out[name] = self.part_content(r)
        return {k: _scale_rows(v.astype(np.float32)) for k, v in out.items()}

    def blend(self, parts: dict[str, np.ndarray], weights: dict[str, float], n_users: int) -> np.ndarray:
        score = np.zeros((n_users, self.n_items), dtype=np.float32)
        for name, w in weights.items():
            if not w:
                continue
            if name == "pop_recent":
                score += w * self._pop_recent_n[None, :]
            elif name == "pop_all":
                score += w * self._pop_all_n[None, :]
            else:
                score += w * parts[name]
        return score

    def algorithm_weights(self, algorithm: str) -> dict[str, float]:
        """Weights of the parts an algorithm blends (a popularity tie-break fills the list
        when a part has nothing to say about a product)."""
        if algorithm == "hybrid":
            return dict(self.weights)
        if algorithm in ("collaborative", "cf"):
            return {"cf": 1.0, "pop_recent": TIE_BREAK}
        if algorithm in ("item_knn", "als", "content"):
            return {algorithm: 1.0, "pop_recent": TIE_BREAK}
        if algorithm == "content_based":
            return {"content": 1.0, "pop_recent": TIE_BREAK}
        if algorithm == "popular_all_time":
            return {"pop_all": 1.0, "pop_recent": TIE_BREAK}
        if algorithm == "popular_30d":
            return {"pop_recent": 1.0, "pop_all": TIE_BREAK}
        raise ValueError(algorithm)

    def score(self, r: sp.csr_matrix, algorithm: str) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, float]]:
        """Scores (users × products) of ``algorithm`` for strength rows ``r`` and the scaled parts."""
        weights = self.algorithm_weights(algorithm)
        names = tuple(k for k in weights if k not in ("pop_recent", "pop_all"))
        if algorithm in ("collaborative", "cf"):
            names = ("cf",)
        parts = self.parts(r, names)
        return self.blend(parts, weights, r.shape[0]), parts, weights

    # ---- one buyer -----------------------------------------------------------------
    def buyer_row(
        self, *, lines: list[tuple[int, float, float]], signals: Signals | None = None
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """A buyer's strength row (ages from the as-of instant) and the indices they bought."""
        p = RecParams(**{k: v for k, v in self.params.items() if k in RecParams.__dataclass_fields__})
        log = PurchaseLog(
            order=np.zeros(len(lines), dtype=np.int64),
            buyer=np.zeros(len(lines), dtype=np.int64),
            product=np.array([x[0] for x in lines], dtype=np.int64),
            ts=np.array([x[2] for x in lines], dtype=np.float64),
            qty=np.array([x[1] for x in lines], dtype=np.float32),
        )
        if signals is not None:
            signals = Signals(
                np.zeros(len(signals.customer), np.int64),
                *(signals.product, signals.views, signals.carts, signals.wished),
            )
        inter = interactions_build(log=log, signals=signals, product_ids=self.product_ids, cutoff=self.cutoff, params=p)
        if inter.strength.shape[0] == 0:
            return sp.csr_matrix((1, self.n_items), dtype=np.float32), np.zeros(0, dtype=np.int64)
        return inter.strength[:1], inter.bought[:1].indices.copy()
