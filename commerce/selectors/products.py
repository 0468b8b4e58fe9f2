"""Product read models: the rating average is derived from reviews, never stored."""

from __future__ import annotations

from django.db.models import Avg, Count, QuerySet

from commerce.models import Product


def products_with_ratings(*, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products annotated with ``rating_average`` (None without reviews) and ``review_count``."""
    qs = queryset if queryset is not None else Product.objects.all()
    return qs.annotate(rating_average=Avg("reviews__rating"), review_count=Count("reviews"))


ASPECT_LABELS = {
    "taste": "맛",
    "delivery": "배송",
    "service": "서비스",
    "quality": "품질",
    "packaging": "포장",
    "price": "가격",
}


def product_review_sentiment_summary(*, product_id: int) -> dict:
    """The product's scored reviews (``Review.sentiment``, written by ml): count per sentiment,
    share positive, and per aspect how many reviews praise and criticise it, most praised first."""
    from commerce.models import Review

    rows = (
        Review.objects.filter(product_id=product_id).exclude(sentiment="").values_list("sentiment", "sentiment_aspects")
    )
    counts = {"positive": 0, "neutral": 0, "negative": 0}
    aspects: dict[str, dict[str, int]] = {}
    for sentiment, review_aspects in rows.iterator():
        counts[sentiment] = counts.get(sentiment, 0) + 1
        for aspect, result in (review_aspects or {}).items():
            slot = aspects.setdefault(aspect, {"positive": 0, "neutral": 0, "negative": 0})
            label = (result or {}).get("sentiment")
            if label in slot:
                slot[label] += 1
    scored = sum(counts.values())
    return {
        "scored": scored,
        "counts": counts,
        "positive_share": round(counts["positive"] / scored, 4) if scored else None,
        "aspects": dict(sorted(aspects.items(), key=lambda kv: (-kv[1]["positive"], kv[1]["negative"], kv[0]))),
    }
