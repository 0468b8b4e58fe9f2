"""The report's figures: worked out by hand, and equal to what the dashboard API answers."""

from __future__ import annotations

from datetime import date

import pytest

from reports.selectors import center
from reports.selectors.content import sales_monthly_content

pytestmark = pytest.mark.django_db


def test_shop_figures_by_hand(month):
    c = sales_monthly_content(year=2026, month=10, unmasked=True)
    s = c["summary"]
    assert c["currency"] == "KRW"
    assert {k: s[k] for k in ("revenue", "orders", "completed_orders", "cancelled_orders", "pending_orders")} == {
        "revenue": 25000.0,
        "orders": 5,
        "completed_orders": 3,
        "cancelled_orders": 1,
        "pending_orders": 1,
    }
    assert (s["conversion_rate"], s["average_order_value"]) == (60.0, 12500.0)
    assert (s["active_buyers"], s["new_buyers"], s["returning_buyers"], s["retention_rate"]) == (3, 2, 1, 50.0)
    assert s["average_rating"] == 4.5
    rows = {r["key"]: r for r in c["shop"]["comparison"]}
    assert rows["revenue"] == {
        "key": "revenue",
        "current": 25000.0,
        "previous_month": 20000.0,
        "previous_month_change": 25.0,
        "year_ago": 10000.0,
        "year_ago_change": 150.0,
        "change_unit": "percent",
    }
    assert rows["conversion_rate"]["previous_month_change"] == -40.0  # 60 % vs 100 %: points
    assert rows["conversion_rate"]["change_unit"] == "pp"
    p1, p2 = month["products"]
    assert c["shop"]["top_products"] == [
        {
            "product_id": p1.pk,
            "product_name": "국산 배추김치",
            "category_name": "김치/반찬",
            "units": 3,
            "lines": 2,
            "revenue": 20000.0,
            "average_rating": 5.0,
            "reviews": 1,
        },
        {
            "product_id": p2.pk,
            "product_name": "전통 고추장",
            "category_name": "장류",
            "units": 1,
            "lines": 1,
            "revenue": 5000.0,
            "average_rating": 2.5,
            "reviews": 2,
        },
    ]
    c1, c2, _c3, _c4 = month["customers"]
    assert [(b["customer_id"], b["name"], b["orders"], b["revenue"]) for b in c["shop"]["top_buyers"]] == [
        (c1.pk, "김영희", 1, 20000.0),
        (c2.pk, "이철수", 1, 5000.0),
    ]
    assert c["customer_ids"] == sorted([c1.pk, c2.pk])
    assert c["shop"]["reviews"]["count"] == 2
    assert c["shop"]["sentiment"] is None  # no review is scored


def test_center_figures_by_hand(month):
    c = sales_monthly_content(year=2026, month=10, unmasked=False)["center"]
    assert (
        c["packages"]["count"],
        c["packages"]["revenue"],
        c["packages"]["refunded"],
        c["packages"]["cancelled"],
    ) == (
        1,
        300000,
        1,
        0,
    )
    sessions = {s["service_code"]: s for s in c["sessions"]["services"]}
    assert (c["sessions"]["sessions"], c["sessions"]["from_package"], c["sessions"]["customers"]) == (4, 2, 3)
    assert (sessions["brain"]["sessions"], sessions["brain"]["satisfaction"], sessions["brain"]["rated"]) == (2, 4.0, 2)
    assert (sessions["red"]["sessions"], sessions["red"]["satisfaction"], sessions["red"]["rated"]) == (2, 4.0, 1)
    assert (c["satisfaction"]["rated"], c["satisfaction"]["average"]) == (3, 4.0)
    # a: 8 brain + 4 red left of 450,000; b: all 15 left of 300,000; value by list price
    # (brain 50,000, red 30,000: weight 650,000 per package)
    assert c["liability"] == {
        "as_of": "2026-10-31",
        "sessions": 27,
        "value": 660000,
        "by_service": [
            {"service_code": "brain", "service_name": "브레인 피드백", "sessions": 18, "value": 507692},
            {"service_code": "red", "service_name": "레드라이트 테라피", "sessions": 9, "value": 152308},
        ],
        "expiring": [
            {"within_days": 30, "sessions": 15, "value": 300000},
            {"within_days": 60, "sessions": 15, "value": 300000},
            {"within_days": 90, "sessions": 15, "value": 300000},
        ],
    }


def test_liability_moves_with_the_date(month):
    # on 2026-09-30: a with one brain session used (9/10), and the old purchase of c4 (expires
    # 10-15) untouched; b is not bought yet. brain 9+10 of 450,000 each, red 5+5
    before = center.prepaid_liability(as_of=date(2026, 9, 30))
    assert (before["sessions"], before["value"]) == (29, 657692 + 207692)
    assert before["expiring"][0] == {"within_days": 30, "sessions": 15, "value": 450000}
    # after b expired (11-20) only a is left: 7 brain (3 used) + 4 red
    after = center.prepaid_liability(as_of=date(2026, 11, 25))
    assert after["sessions"] == 11


def test_every_shop_figure_equals_the_dashboard_api(month, api_client_for):
    content = sales_monthly_content(year=2026, month=10, unmasked=False)
    response = api_client_for("MANAGER").get(
        "/api/v1/analytics/dashboard", {"period": "month", "start_date": "2026-10-01", "end_date": "2026-10-31"}
    )
    assert response.status_code == 200
    api = response.json()["data"]
    assert content["shop"]["dashboard"] == api
    for key, (section, field) in {
        "revenue": ("revenue", "total"),
        "orders": ("orders", "total"),
        "completed_orders": ("orders", "completed"),
        "conversion_rate": ("orders", "conversion_rate"),
        "average_order_value": ("orders", "average_order_value"),
        "active_buyers": ("users", "total_active"),
        "new_buyers": ("users", "new_users"),
        "retention_rate": ("users", "retention_rate"),
        "average_rating": ("products", "average_rating"),
    }.items():
        assert content["summary"][key] == api[section][field], key
    previous = api_client_for("MANAGER").get(
        "/api/v1/analytics/dashboard", {"period": "month", "start_date": "2026-09-01", "end_date": "2026-09-30"}
    )
    assert content["shop"]["previous_month"]["dashboard"] == previous.json()["data"]
    # the products table adds up to the dashboard's revenue and units
    assert sum(p["revenue"] for p in content["shop"]["top_products"]) == api["revenue"]["total"]
    assert sum(p["units"] for p in content["shop"]["top_products"]) == api["products"]["total_sold"]
    assert content["shop"]["reviews"]["average"] == api["products"]["average_rating"]


def test_names_are_masked_unless_unmasked(month):
    masked = sales_monthly_content(year=2026, month=10, unmasked=False)
    assert [b["name"] for b in masked["shop"]["top_buyers"]] == ["김*희", "이*수"]
    assert masked["masked"] is True


def _sentiment_fields() -> bool:
    from commerce.models import Review

    return {"sentiment", "sentiment_aspects"} <= {f.name for f in Review._meta.get_fields()}


@pytest.mark.skipif(not _sentiment_fields(), reason="the sentiment feature is not on this branch yet")
def test_sentiment_shares_and_aspects_from_scored_reviews(month):
    from commerce.models import Review

    october = Review.objects.filter(created_at__month=10, created_at__year=2026).order_by("rating")
    low, high = list(october)
    Review.objects.filter(pk=high.pk).update(
        sentiment="positive",
        sentiment_aspects={"taste": {"sentiment": "positive"}, "delivery": {"sentiment": "positive"}},
    )
    Review.objects.filter(pk=low.pk).update(
        sentiment="negative", sentiment_aspects={"price": {"sentiment": "negative"}}
    )
    section = sales_monthly_content(year=2026, month=10, unmasked=False)["shop"]["sentiment"]
    assert (section["scored"], section["positive_share"], section["negative_share"]) == (2, 50.0, 50.0)
    # ties are ordered by the aspect key (delivery before taste)
    assert section["praised"] == ["배송(1)", "맛(1)"] and section["criticised"] == ["가격(1)"]


def test_no_sentiment_is_a_documented_gap(month):
    content = sales_monthly_content(year=2026, month=10, unmasked=False)
    if _sentiment_fields():
        assert content["shop"]["sentiment"] is None  # no review of the month scored yet
    assert content["shop"]["sentiment_note"].startswith("리뷰 감정 분석")


def test_report_follows_shop_currency(month, settings, api_client_for):
    """SHOP_CURRENCY=USD: every shop money figure is the USD orders' (never added to KRW)."""
    settings.SHOP_CURRENCY = "USD"
    content = sales_monthly_content(year=2026, month=10, unmasked=False)
    assert content["currency"] == "USD"
    assert content["summary"]["revenue"] == 8.5
    assert [(p["product_name"], p["revenue"]) for p in content["shop"]["top_products"]] == [
        ("국산 배추김치", 8.5),
        ("전통 고추장", 0.0),
    ]
    assert [b["revenue"] for b in content["shop"]["top_buyers"]] == [8.5]
    api = api_client_for("MANAGER").get(
        "/api/v1/analytics/dashboard", {"start_date": "2026-10-01", "end_date": "2026-10-31"}
    )
    assert content["shop"]["dashboard"]["revenue"] == api.json()["data"]["revenue"]
    assert content["center"]["currency"] == "KRW"
