"""Served reads: a buyer's product recommendations and a product's related products
(seed 000 §3). The model is the registry artifact (``store.py``); requests only score.

Product details (name, price + currency, rating average, image, category) come from our own
database in **one** query per response; a product that is inactive at request time is never
listed, whatever the model saw when it was trained.

``confidence_score`` (0–1) is the evidence behind the list::

    confidence = depth × personal_share
    depth          = n / (n + 3), n = distinct products the buyer has bought
    personal_share = mean over the listed products of the share of their score that comes
                     from the buyer's own history (collaborative + content), not popularity

A buyer with no purchase gets the cold-start list (popular lately in the categories they
browsed, carted, wished for or searched; else popular lately overall) with confidence
``0.1 × m / (m + 5)`` (m = browsing events that pointed to those categories) or 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from commerce.errors import CommerceError
from commerce.models import CartEvent, PageView, Product, SearchQuery, WishlistItem
from core.errors import ErrorCode, ModelNotTrained, NotFoundError
from customers.models import Customer

from .data import buyer_lines, signals_load
from .engine import ShopRecModel
from .errors import NOT_TRAINED_MESSAGE
from .store import served_model

ALGORITHMS = ("hybrid", "collaborative", "content_based")
UNCATEGORISED = "미분류"
SPARE = 5  # extra products computed so that a product deactivated later can be dropped
COLD_EVENTS = 200
COLD_SEARCHES = 20
COLD_CATEGORIES = 3


def _final_consonant(word: str) -> bool | None:
    for ch in reversed(word.strip()):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isdigit():
            return ch in "013678"  # 영 일 삼 육 칠 팔
        if ch in ")]'\"":
            continue
        return None  # a Latin word or unit (1kg, SET): both particles are shown
    return None


def josa(word: str, with_final: str, without_final: str) -> str:
    """The particle that follows ``word``: ``josa("김치/반찬", "과", "와")`` → ``과``."""
    final = _final_consonant(word)
    if final is None:
        return f"{with_final}({without_final})"
    return with_final if final else without_final


def _model() -> tuple[ShopRecModel, str, dt.date | None]:
    loaded = served_model()
    if loaded is None:
        raise ModelNotTrained(message=NOT_TRAINED_MESSAGE)
    return loaded.model, loaded.version, loaded.trained_as_of


def _details(ids: list[int]) -> dict[int, dict]:
    """Product details in one query (the rating average comes with the model, see ``_product_out``)."""
    rows = Product.objects.filter(id__in=ids).values(
        "id",
        "name",
        "name_en",
        "category_id",
        "category__name",
        "price",
        "currency",
        "image_url",
        "is_active",
    )
    return {r["id"]: r for r in rows}


def _product_out(d: dict, score: float, reason: str, model: ShopRecModel) -> dict:
    return {
        "product_id": d["id"],
        "product_name": d["name"],
        "product_name_en": d["name_en"] or None,
        "score": round(float(score), 4),
        "reason": reason,
        "category_id": d["category_id"],
        "price": float(d["price"]),
        "currency": d["currency"],
        "rating_average": model.rating_of(d["id"]),
        "image_url": d["image_url"] or None,
    }


@dataclass
class _Explain:
    part: str
    anchor: int | None  # product id of the history product behind it


def _explain_all(
    model: ShopRecModel, r_idx: np.ndarray, r_w: np.ndarray, contrib_of: dict[int, dict[str, float]]
) -> dict[int, _Explain]:
    """For each candidate: the part that contributed most and the bought product behind it
    (largest r_j · sim(j, i)); one sparse product per part for all candidates."""
    cand = np.array(list(contrib_of), dtype=np.int64)
    if not len(cand):
        return {}
    knn = content = None
    if len(r_idx):
        if model.collaborative == "item_knn":
            knn = model.knn[r_idx][:, cand].toarray() * r_w[:, None]
        content = (model.features[r_idx] @ model.features[cand].T).toarray() * r_w[:, None]
    out = {}
    for col, i in enumerate(cand.tolist()):
        contrib = contrib_of[i]
        part = max(contrib, key=lambda k: contrib[k])
        sims = knn if part == "cf" else content if part == "content" else None
        anchor = None
        if sims is not None and sims[:, col].max(initial=0) > 0:
            anchor = int(model.product_ids[r_idx[int(np.argmax(sims[:, col]))]])
        out[i] = _Explain(part, anchor)
    return out


def _reason(ex: _Explain, product: dict, details: dict[int, dict], model: ShopRecModel) -> str:
    recent_days = model.params.get("recent_days", 30)
    anchor = details.get(ex.anchor) if ex.anchor is not None else None
    if ex.part == "cf":
        if anchor is not None:
            return f"'{anchor['name']}'{josa(anchor['name'], '을', '를')} 구매한 고객이 함께 많이 구매한 상품"
        return "구매 패턴이 비슷한 고객들이 많이 구매한 상품"
    if ex.part == "content":
        if anchor is not None:
            cat = anchor["category__name"]
            if anchor["category_id"] == product["category_id"] and cat and cat != UNCATEGORISED:
                return f"자주 구매하신 {cat}{josa(cat, '과', '와')} 비슷한 상품"
            return f"구매하신 '{anchor['name']}'{josa(anchor['name'], '과', '와')} 비슷한 상품"
        return "이전 구매 상품과 비슷한 상품"
    if ex.part == "pop_all":
        return "꾸준히 많이 팔린 인기 상품"
    return f"최근 {recent_days}일 동안 많이 팔린 인기 상품"


def _engine_algorithm(algorithm: str) -> str:
    return {"collaborative": "collaborative", "content_based": "content_based"}.get(algorithm, "hybrid")


def _cold_categories(customer_id: int) -> tuple[list[int], dict[int, str], int]:
    """Categories the buyer browsed, carted, wished for or searched (most frequent first)."""
    counts: Counter[int] = Counter()
    via: dict[int, str] = {}
    views = PageView.objects.filter(customer_id=customer_id).order_by("-viewed_at")[:COLD_EVENTS]
    for cat, pcat in views.values_list("category_id", "product__category_id"):
        for c in {cat, pcat} - {None}:
            counts[c] += 1
            via.setdefault(c, "view")
    carts = CartEvent.objects.filter(customer_id=customer_id, product__isnull=False).order_by("-occurred_at")
    for (c,) in carts.values_list("product__category_id")[:COLD_EVENTS]:
        counts[c] += 1
        via.setdefault(c, "view")
    for (c,) in WishlistItem.objects.filter(customer_id=customer_id).values_list("product__category_id")[:COLD_EVENTS]:
        counts[c] += 1
        via.setdefault(c, "view")
    queries = list(
        SearchQuery.objects.filter(customer_id=customer_id)
        .order_by("-searched_at")
        .values_list("query", flat=True)[:COLD_SEARCHES]
    )
    words = {q.strip() for q in queries if len(q.strip()) >= 2}
    if words:
        cond = Q()
        for w in words:
            cond |= Q(name__icontains=w) | Q(category__name__icontains=w)
        for (c,) in Product.objects.filter(cond, is_active=True).values_list("category_id")[:COLD_EVENTS]:
            counts[c] += 1
            via.setdefault(c, "search")
    top = [c for c, _ in counts.most_common(COLD_CATEGORIES)]
    return top, via, sum(counts[c] for c in top)


def _cold_start(*, model: ShopRecModel, customer_id: int, limit: int, exclude: set[int]) -> tuple[list, float]:
    cats, via, evidence = _cold_categories(customer_id)
    order = np.lexsort((-model.pop_all, -model.pop_recent))  # recent first, all-time breaks ties
    pool = [int(model.product_ids[i]) for i in order if model.active[i] and int(model.product_ids[i]) not in exclude]
    pool = pool[: max(200, (limit + SPARE) * 10)]
    details = _details(pool)
    names = {d["category_id"]: d["category__name"] for d in details.values()}
    pop = {int(p): (float(model.pop_recent[i]), float(model.pop_all[i])) for i, p in enumerate(model.product_ids)}
    days = model.params.get("recent_days", 30)
    top_recent = max(model.pop_recent.max(initial=0), 1.0)
    chosen: list[dict] = []
    seen: set[int] = set()
    for cat in cats:
        for pid in pool:
            d = details.get(pid)
            if d and d["is_active"] and d["category_id"] == cat and pid not in seen:
                how = "검색하신" if via.get(cat) == "search" else "둘러보신"
                reason = f"최근 {how} '{names.get(cat, '')}' 카테고리의 인기 상품 (구매 이력이 없어 관심 카테고리 기준)"
                chosen.append(_product_out(d, pop[pid][0] / top_recent, reason, model))
                seen.add(pid)
                if len([c for c in chosen if c["category_id"] == cat]) >= max(2, (limit + SPARE) // max(1, len(cats))):
                    break
    for pid in pool:
        d = details.get(pid)
        if d and d["is_active"] and pid not in seen:
            chosen.append(
                _product_out(d, pop[pid][0] / top_recent, f"구매 이력이 없어 추천하는 최근 {days}일 인기 상품", model)
            )
            seen.add(pid)
        if len(chosen) >= limit + SPARE:
            break
    confidence = round(0.1 * evidence / (evidence + 5), 4) if cats else 0.0
    return chosen[: limit + SPARE], confidence


def user_product_recommendations(*, customer_id: int, algorithm: str, limit: int) -> dict:
    """The buyer's recommendations (``limit`` + a few spare, see ``SPARE``) as the seed's
    shape; the view trims to ``limit`` after dropping products deactivated since."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)
    model, version, as_of = _model()
    lines = buyer_lines(customer_id=customer_id)
    bought_ids = {p for p, _, _ in lines}
    meta_common = {"generated_at": timezone.now(), "model_version": version, "model_as_of": as_of}
    if not lines:
        recs, confidence = _cold_start(model=model, customer_id=customer_id, limit=limit, exclude=bought_ids)
        return {
            "user_id": customer_id,
            "algorithm": algorithm,
            "recommendations": recs,
            "metadata": {"confidence_score": confidence, "cold_start": True, **meta_common},
        }
    signals = signals_load(end=timezone.now() + dt.timedelta(days=1), customer_id=customer_id)
    r, _ = model.buyer_row(lines=lines, signals=signals)
    score, parts, weights = model.score(r, _engine_algorithm(algorithm))
    s = score[0].copy()
    s[~model.active] = -np.inf
    for pid in bought_ids:  # everything the buyer ever bought, also after the model's date
        i = model.index_of(pid)
        if i is not None:
            s[i] = -np.inf
    n_take = min(int(np.isfinite(s).sum()), (limit + SPARE) * 2)
    cand = np.argsort(-s, kind="stable")[:n_take]
    r_idx, r_w = r.indices, r.data
    contrib_of = {}
    for i in cand:
        c = {k: weights.get(k, 0.0) * float(v[0, i]) for k, v in parts.items() if k in weights}
        c["pop_recent"] = weights.get("pop_recent", 0.0) * float(model._pop_recent_n[i])
        c["pop_all"] = weights.get("pop_all", 0.0) * float(model._pop_all_n[i])
        contrib_of[int(i)] = c
    explains = _explain_all(model, r_idx, r_w, contrib_of)
    anchors = {e.anchor for e in explains.values() if e.anchor is not None}
    details = _details([int(model.product_ids[i]) for i in cand] + sorted(anchors))
    recs, shares = [], []
    for i in cand:
        d = details.get(int(model.product_ids[i]))
        if d is None or not d["is_active"]:
            continue
        c = contrib_of[int(i)]
        total = sum(c.values())
        shares.append((c.get("cf", 0.0) + c.get("content", 0.0)) / total if total > 0 else 0.0)
        recs.append(_product_out(d, float(s[i]), _reason(explains[int(i)], d, details, model), model))
        if len(recs) >= limit + SPARE:
            break
    n_hist = len(bought_ids)
    depth = n_hist / (n_hist + 3)
    confidence = round(depth * float(np.mean(shares[:limit])), 4) if shares else 0.0
    return {
        "user_id": customer_id,
        "algorithm": algorithm,
        "recommendations": recs,
        "metadata": {"confidence_score": confidence, "cold_start": False, **meta_common},
    }


def product_require(*, product_id: int) -> None:
    """``PRODUCT_NOT_FOUND`` unless the product exists (active or not)."""
    if not Product.objects.filter(pk=product_id).exists():
        raise NotFoundError(CommerceError.PRODUCT_NOT_FOUND)


def related_products(*, product_id: int, limit: int) -> dict:
    """Products bought together with ``product_id`` (co-purchase lift with minimum support),
    then products similar in content, active ones only."""
    product_require(product_id=product_id)
    model, version, as_of = _model()
    i = model.index_of(product_id)
    picks: list[tuple[int, float, str, float | None, float | None]] = []
    if i is not None:
        co = model.copurchase
        lo, hi = co.cosine.indptr[i], co.cosine.indptr[i + 1]
        order = np.argsort(-co.cosine.data[lo:hi], kind="stable")
        for k in order:
            j = co.cosine.indices[lo + k]
            picks.append(
                (
                    int(model.product_ids[j]),
                    float(co.cosine.data[lo + k]),
                    "frequently_bought_together",
                    float(co.support.data[lo + k]),
                    float(co.lift.data[lo + k]),
                )
            )
        seen = {p[0] for p in picks}
        cr = model.content_related
        lo, hi = cr.indptr[i], cr.indptr[i + 1]
        for k in np.argsort(-cr.data[lo:hi], kind="stable"):
            pid = int(model.product_ids[cr.indices[lo + k]])
            if pid not in seen and pid != product_id:
                picks.append((pid, float(cr.data[lo + k]), "similar_product", None, None))
                seen.add(pid)
    details = _details([p[0] for p in picks[: (limit + SPARE) * 3]])
    out = []
    for pid, sim, kind, support, lift in picks:
        d = details.get(pid)
        if d is None or not d["is_active"]:
            continue
        out.append(
            {
                "product_id": pid,
                "product_name": d["name"],
                "similarity_score": round(sim, 4),
                "relation_type": kind,
                "support": int(support) if support is not None else None,
                "lift": round(lift, 2) if lift is not None else None,
            }
        )
        if len(out) >= limit + SPARE:
            break
    return {
        "product_id": product_id,
        "related_products": out,
        "metadata": {"model_version": version, "model_as_of": as_of, "generated_at": timezone.now()},
    }
