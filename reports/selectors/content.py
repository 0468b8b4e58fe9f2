"""Everything the monthly sales report shows, as one JSON-ready dict (both renderers read it).

Customer names are masked here, with the one masking module, unless the report was requested
by someone who may see unmasked PII (``unmasked``). The customer ids named in the report are
returned so that downloads can be audited against them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.masking import mask_name
from core.timeutils import local_today, local_tz

from . import center, sales

SENTIMENT_NOT_SCORED = "리뷰 감정 분석: 이 달 리뷰 중 감정이 분석된 리뷰가 없습니다 (manage.py score_reviews 로 분석)."
SENTIMENT_GAP = (
    "리뷰 감정 분석(긍정·부정 비율, 주요 키워드)은 감정 분석 기능이 아직 배포되지 않아 이 리포트에 포함되지 않았습니다."
)


ASPECT_LABELS = {
    "taste": "맛",
    "delivery": "배송",
    "service": "서비스",
    "quality": "품질",
    "packaging": "포장",
    "price": "가격",
}
TOP_KEYWORDS = 5


def sentiment_available() -> bool:
    """Whether reviews carry sentiment scores (the sentiment feature is deployed)."""
    from commerce.models import Review

    return {"sentiment", "sentiment_aspects"} <= {f.name for f in Review._meta.get_fields()}


def sentiment_section(*, start: date, end: date) -> dict[str, Any] | None:
    """Sentiment of the reviews written in the month, from the scores the sentiment feature
    stores on each review (``Review.sentiment`` and ``sentiment_aspects``): the share of
    positive and negative among the scored reviews, and the aspects most often praised and
    criticised as the top keywords. ``None`` while reviews carry no sentiment (the feature is
    not deployed, or no review of the month is scored yet)."""
    from commerce.models import Review

    if not sentiment_available():
        return None
    from core.timeutils import local_midnight

    rows = (
        Review.objects.filter(
            created_at__gte=local_midnight(start), created_at__lt=local_midnight(end + timedelta(days=1))
        )
        .exclude(sentiment="")
        .values_list("sentiment", "sentiment_aspects")
    )
    counts = {"positive": 0, "neutral": 0, "negative": 0}
    praised: dict[str, int] = {}
    criticised: dict[str, int] = {}
    for sentiment, aspects in rows.iterator():
        counts[sentiment] = counts.get(sentiment, 0) + 1
        for aspect, result in (aspects or {}).items():
            label = (result or {}).get("sentiment") if isinstance(result, dict) else result
            target = praised if label == "positive" else criticised if label == "negative" else None
            if target is not None:
                target[aspect] = target.get(aspect, 0) + 1
    scored = sum(counts.values())
    if not scored:
        return None

    def top(counter: dict[str, int]) -> list[str]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_KEYWORDS]
        return [f"{ASPECT_LABELS.get(k, k)}({n})" for k, n in ranked]

    return {
        "scored": scored,
        "counts": counts,
        "positive_share": round(counts["positive"] / scored * 100, 2),
        "negative_share": round(counts["negative"] / scored * 100, 2),
        "praised": top(praised),
        "criticised": top(criticised),
    }


def sales_monthly_content(
    *, year: int, month: int, unmasked: bool, currency: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The report's figures for ``year``-``month`` with shop money in ``currency`` (default
    ``SHOP_CURRENCY``; see ``reports.selectors.sales`` and ``reports.selectors.center`` for the
    definitions)."""
    now = now or timezone.now()
    r = sales.month_range(year, month)
    prev_y, prev_m = sales.shift_month(year, month, -1)
    current = sales.shop_dashboard(date_range=r, currency=currency)
    currency = current["revenue"]["currency"]
    previous = sales.shop_dashboard(date_range=sales.month_range(prev_y, prev_m), currency=currency)
    year_ago = sales.shop_dashboard(date_range=sales.month_range(year - 1, month), currency=currency)

    buyers = sales.top_buyers(date_range=r, currency=currency)
    for row in buyers:
        row["name"] = row["name"] if unmasked else mask_name(row["name"])

    today = local_today()
    as_of = min(r.end, today)
    center_section = {
        "currency": "KRW",
        "packages": center.package_sales(start=r.start, end=r.end),
        "sessions": center.sessions_by_service(start=r.start, end=r.end),
        "satisfaction": center.satisfaction(start=r.start, end=r.end),
        "liability": center.prepaid_liability(as_of=as_of),
    }
    sentiment = sentiment_section(start=r.start, end=r.end)
    generated_at = timezone.localtime(now, local_tz())
    content = {
        "year": year,
        "month": month,
        "period": {"start": r.start.isoformat(), "end": r.end.isoformat(), "complete": r.end < today},
        "currency": currency,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        # the data is what the database held when the queries ran; a running month is partial
        "data_cutoff": generated_at.isoformat(timespec="seconds"),
        "shop": {
            "dashboard": current,
            "previous_month": {"year": prev_y, "month": prev_m, "dashboard": previous},
            "year_ago": {"year": year - 1, "month": month, "dashboard": year_ago},
            "comparison": sales.comparison(current, previous, year_ago),
            "top_products": sales.top_products(date_range=r, currency=currency),
            "reviews": sales.review_ratings(date_range=r),
            "top_buyers": buyers,
            "sentiment": sentiment,
            "sentiment_note": None
            if sentiment is not None
            else (SENTIMENT_NOT_SCORED if sentiment_available() else SENTIMENT_GAP),
        },
        "center": center_section,
        "masked": not unmasked,
    }
    content["summary"] = summary_of(content)
    content["customer_ids"] = sorted({row["customer_id"] for row in buyers})
    return content


def summary_of(content: dict[str, Any]) -> dict[str, Any]:
    """The key figures the status API shows next to the file (equal to the file's)."""
    dash = content["shop"]["dashboard"]
    c = content["center"]
    return {
        "currency": content["currency"],
        "revenue": dash["revenue"]["total"],
        "orders": dash["orders"]["total"],
        "completed_orders": dash["orders"]["completed"],
        "cancelled_orders": dash["orders"]["cancelled"],
        "pending_orders": dash["orders"]["pending"],
        "conversion_rate": dash["orders"]["conversion_rate"],
        "average_order_value": dash["orders"]["average_order_value"],
        "active_buyers": dash["users"]["total_active"],
        "new_buyers": dash["users"]["new_users"],
        "returning_buyers": dash["users"]["returning_users"],
        "retention_rate": dash["users"]["retention_rate"],
        "average_rating": dash["products"]["average_rating"],
        "center_package_count": c["packages"]["count"],
        "center_package_revenue": c["packages"]["revenue"],
        "center_sessions": c["sessions"]["sessions"],
        "center_satisfaction": c["satisfaction"]["average"],
        "prepaid_liability_sessions": c["liability"]["sessions"],
        "prepaid_liability_value": c["liability"]["value"],
        "prepaid_liability_as_of": c["liability"]["as_of"],
    }
