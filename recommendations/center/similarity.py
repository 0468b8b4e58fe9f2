"""Item-based collaborative filtering over the customer × service satisfaction matrix.

Built from every customer's mean rating per service (one grouped query), mean-centred per
customer (adjusted cosine, so a customer who rates everything 5 does not make every pair
look alike), then ``sklearn.metrics.pairwise.cosine_similarity`` between the service
columns. Also kept: for every pair (a, b), how many customers used both and their mean
rating of b ("customers who use a rate b …"), and each service's overall mean rating.

The result is small (5 × 5) and cached for 24 h in the shared cache under the ``catalog``
scope, plus a per-process memo, so a recommendation request never rebuilds it.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from django.db.models import Avg
from django.utils import timezone
from scipy.sparse import csr_matrix
from sklearn.metrics.pairwise import cosine_similarity

from core.cache import cached_result
from customers.models import ServiceSession

TTL = 24 * 3600
MEMO_SECONDS = 600
ALGORITHM = "item-knn-adjusted-cosine"
VERSION = "1.0"
_lock = threading.Lock()
_memo: dict[str, object] = {}


def build_similarity() -> dict:
    """Compute the item model from the sessions table."""
    rows = list(
        ServiceSession.objects.filter(satisfaction_rating__isnull=False)
        .values_list("customer_id", "service__code")
        .annotate(r=Avg("satisfaction_rating"))
        .order_by()
    )
    built_at = timezone.now().replace(microsecond=0).isoformat()
    if not rows:
        return {
            "codes": [],
            "sim": [],
            "co_users": [],
            "co_rating": [],
            "mean_rating": {},
            "users": {},
            "n_customers": 0,
            "built_at": built_at,
        }
    customers = {c: i for i, c in enumerate(sorted({r[0] for r in rows}))}
    codes = sorted({r[1] for r in rows})
    col = {c: j for j, c in enumerate(codes)}
    u = np.fromiter((customers[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    s = np.fromiter((col[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    v = np.fromiter((float(r[2]) for r in rows), dtype=float, count=len(rows))
    shape = (len(customers), len(codes))
    ratings = csr_matrix((v, (u, s)), shape=shape)
    used = csr_matrix((np.ones_like(v), (u, s)), shape=shape)
    user_mean = np.asarray(ratings.sum(axis=1)).ravel() / np.maximum(np.asarray(used.sum(axis=1)).ravel(), 1)
    centred = csr_matrix((v - user_mean[u], (u, s)), shape=shape)
    sim = cosine_similarity(centred.T)
    co_users = (used.T @ used).toarray()
    rating_sums = (used.T @ ratings).toarray()  # [a, b] = sum of b's ratings among users of a
    with np.errstate(invalid="ignore", divide="ignore"):
        co_rating = np.where(co_users > 0, rating_sums / co_users, np.nan)
    n_users = np.asarray(used.sum(axis=0)).ravel()
    mean_rating = np.asarray(ratings.sum(axis=0)).ravel() / np.maximum(n_users, 1)
    return {
        "codes": codes,
        "sim": np.round(sim, 4).tolist(),
        "co_users": co_users.astype(int).tolist(),
        "co_rating": [[None if np.isnan(x) else round(float(x), 3) for x in row] for row in co_rating],
        "mean_rating": {c: round(float(mean_rating[j]), 3) for c, j in col.items()},
        "users": {c: int(n_users[j]) for c, j in col.items()},
        "n_customers": len(customers),
        "built_at": built_at,
    }


def item_similarity() -> dict:
    """The cached item model (built on first use)."""
    now = time.monotonic()
    with _lock:
        memo = _memo.get("value")
        if memo is not None and now - float(_memo["at"]) < MEMO_SECONDS:
            return memo  # type: ignore[return-value]
    value, _ = cached_result(
        "center-item-sim", scopes=("catalog",), params={"v": VERSION}, ttl=TTL, compute=build_similarity
    )
    with _lock:
        _memo.update(value=value, at=now)
    return value


def reset_similarity_memo() -> None:
    with _lock:
        _memo.clear()


def model_version(model: dict) -> str:
    return f"{ALGORITHM}-{VERSION}@{model.get('built_at', '')[:10]}"
