from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from commerce.models import CartEventType, OrderStatus
from commerce.testing.factories import (
    CartEventFactory,
    CategoryFactory,
    OrderFactory,
    PageViewFactory,
    ProductFactory,
    ReviewFactory,
    SearchQueryFactory,
    WishlistItemFactory,
)
from customers.testing.factories import CustomerFactory

URL = "/api/v1/analytics/users/{}/behavior"


@pytest.fixture
def buyer(db):
    now = timezone.now()
    kimchi, jang = CategoryFactory(name="김치/반찬"), CategoryFactory(name="장류")
    p1, p2, p3 = (
        ProductFactory(category=kimchi, price=Decimal("10000")),
        ProductFactory(category=kimchi),
        ProductFactory(category=jang, price=Decimal("5000")),
    )
    c = CustomerFactory()
    OrderFactory(
        buyer=c,
        status=OrderStatus.DELIVERED,
        created_at=now - timedelta(days=100),
        items=[(p1, 1, None), (p3, 2, None)],
    )
    OrderFactory(buyer=c, status=OrderStatus.DELIVERED, created_at=now - timedelta(days=40), items=[(p1, 2, None)])
    last = OrderFactory(
        buyer=c, status=OrderStatus.SHIPPED, created_at=now - timedelta(days=10), items=[(p2, 1, Decimal("15000"))]
    )
    OrderFactory(buyer=c, status=OrderStatus.CANCELLED, created_at=now - timedelta(days=5), items=[(p3, 9, None)])
    OrderFactory(
        buyer=c,
        status=OrderStatus.DELIVERED,
        currency="USD",
        created_at=now - timedelta(days=20),
        items=[(p3, 1, Decimal("12.50"))],
    )
    ReviewFactory(customer=c, product=p1, rating=5, created_at=now - timedelta(days=30))
    ReviewFactory(customer=c, product=p3, rating=4, created_at=now - timedelta(days=90))
    WishlistItemFactory(customer=c, product=p3)
    for seconds, session in ((60, "s1"), (120, "s1"), (300, "s2")):
        PageViewFactory(
            customer=c, product=p3, session_id=session, duration_seconds=seconds, viewed_at=now - timedelta(days=3)
        )
    PageViewFactory(customer=c, product=p1, session_id="s3", duration_seconds=120, viewed_at=now - timedelta(days=2))
    for q in ("김치", " 김치", "고추장", "라면", "김치", "고추장"):
        SearchQueryFactory(customer=c, query=q, searched_at=now - timedelta(days=4))
    for cart, events in (
        ("cart-a", [CartEventType.ADDED, CartEventType.CHECKED_OUT]),
        ("cart-b", [CartEventType.ADDED, CartEventType.ADDED]),
    ):
        for event in events:
            CartEventFactory(customer=c, cart_id=cart, product=p1, event=event, occurred_at=now - timedelta(days=1))
    CustomerFactory()  # someone else, never counted
    return {"customer": c, "last_order": last, "categories": (kimchi, jang)}


def test_behavior_figures_without_a_model(buyer, api_client_for):
    c = buyer["customer"]
    kimchi, jang = buyer["categories"]
    response = api_client_for("MANAGER").get(URL.format(c.pk))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["user_id"] == c.pk
    history = data["purchase_history"]
    assert history["total_orders"] == 4  # the cancelled order is left out; the USD one is an order
    assert history["total_spent"] == 10000 + 10000 + 20000 + 15000  # KRW only
    assert history["currency"] == "KRW"
    assert history["average_order_value"] == 18333.33  # 55,000 / 3 KRW orders
    assert history["other_currencies"] == [{"currency": "USD", "orders": 1, "total": 12.5}]
    assert history["purchase_frequency"] == "high"  # 3 non-cancelled orders in 90 days (40, 20, 10 days ago)
    assert history["orders_last_90_days"] == 3
    assert history["last_purchase_date"] == buyer["last_order"].created_at.isoformat().replace("+00:00", "Z")
    assert data["favorite_categories"] == [
        {"category_id": kimchi.pk, "category_name": "김치/반찬", "purchase_count": 3},
        {"category_id": jang.pk, "category_name": "장류", "purchase_count": 2},
    ]
    browsing = data["browsing_patterns"]
    assert browsing["most_viewed_category"] == "장류"
    assert browsing["average_session_duration"] == (60 + 120 + 300 + 120) // 3
    assert browsing["total_page_views"] == 4
    assert browsing["search_keywords"] == ["김치", "고추장", "라면"]
    assert data["engagement"] == {
        "reviews_written": 2,
        "average_rating_given": 4.5,
        "wishlist_items": 1,
        "cart_abandonment_rate": 50.0,
        "carts": 2,
        "abandoned_carts": 1,
    }
    churn = data["churn_prediction"]
    assert churn["model_available"] is False and churn["probability"] is None and churn["risk_level"] is None
    assert "train_shop_churn" in churn["message"]
    assert churn["last_activity_days"] == 1
    # the stated formula: recency = 1 − 10/180 (last order 10 days ago), frequency = 4 orders / 12,
    # engagement = (2 reviews + 1 wishlist + 3 sessions) / 10, retention = recency without a model
    recency = 1 - 10 / 180
    expected = 100 * (0.35 * recency + 0.30 * (4 / 12) + 0.15 * 0.6 + 0.20 * recency)
    assert data["behavior_score"] == pytest.approx(round(expected, 2))
    actions = [a["action"] for a in data["next_best_actions"]]
    assert actions == ["recommend_products", "remind_cart"]
    assert data["next_best_actions"][0]["category"] == "김치/반찬"


def test_behavior_is_audited_including_cache_hits(buyer, api_client_for):
    c = buyer["customer"]
    client = api_client_for("MANAGER")
    first = client.get(URL.format(c.pk), HTTP_X_ACCESS_REASON="이탈 방지 상담")
    second = client.get(URL.format(c.pk))
    assert first.status_code == second.status_code == 200
    assert second.json()["data"] == first.json()["data"]
    rows = list(
        AuditLog.objects.order_by("id").values(
            "action", "customer_ids", "cache_hit", "status_code", "actor_name", "reason"
        )
    )
    assert rows == [
        {
            "action": "view",
            "customer_ids": [c.pk],
            "cache_hit": False,
            "status_code": 200,
            "actor_name": "manager-user",
            "reason": "이탈 방지 상담",
        },
        {
            "action": "view",
            "customer_ids": [c.pk],
            "cache_hit": True,
            "status_code": 200,
            "actor_name": "manager-user",
            "reason": "",
        },
    ]


def test_unknown_customer_is_404(db, api_client_for):
    response = api_client_for("MANAGER").get(URL.format(987654))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    assert AuditLog.objects.count() == 0


def test_staff_is_refused_and_nothing_is_audited(buyer, api_client_for):
    response = api_client_for("STAFF").get(URL.format(buyer["customer"].pk))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    assert AuditLog.objects.count() == 0


def test_customer_without_orders(db, api_client_for):
    c = CustomerFactory()
    data = api_client_for("MANAGER").get(URL.format(c.pk)).json()["data"]
    assert data["purchase_history"]["total_orders"] == 0
    assert data["purchase_history"]["last_purchase_date"] is None
    assert data["churn_prediction"]["last_activity_days"] is None
    assert data["behavior_score"] == 0.0
    assert [a["action"] for a in data["next_best_actions"]] == ["send_welcome_coupon"]


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestBehaviorContract(EndpointContract):
    url_name = "analytics-user-behavior"
    invalid_query = {"currency": "XXX"}
    audit_action = AuditLog.Action.VIEW
    customer_kwarg = "user_id"

    @pytest.fixture
    def subject(self, buyer) -> Subject:
        return Subject(customer=buyer["customer"])
