"""Product recommendations per buyer and related products (seed 000 §3) on a hand-built log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from commerce.models import PageView, Product
from commerce.testing.factories import OrderFactory
from ml.models import ModelArtifact
from recommendations.shop.engine import RecParams
from recommendations.shop.services import product_recs_train

from .shop_world import AS_OF, build_world

USER_URL = "/api/v1/recommendations/users/{}/products"
RELATED_URL = "/api/v1/recommendations/products/{}/related"


@pytest.fixture
def world(db) -> dict:
    w = build_world()
    product_recs_train(as_of=AS_OF, params=RecParams())
    return w


def ids(world: dict, data: dict, key: str = "recommendations") -> list[str]:
    by_id = {p.pk: name for name, p in world["p"].items()}
    return [by_id[r["product_id"]] for r in data[key]]


def test_collaborative_ranks_by_item_similarity_and_excludes_bought_and_inactive(world, api_client_for):
    u9 = world["u"]["u9"]
    r = api_client_for("MANAGER").get(USER_URL.format(u9.pk), {"algorithm": "collaborative", "limit": 10})
    assert r.status_code == 200
    data = r.json()["data"]
    # C (sim 3/√20) before B (2/√15); then no co-purchase evidence: recent popularity G, D, F.
    # A was bought, E is inactive: neither appears.
    assert ids(world, data) == ["C", "B", "G", "D", "F"]
    first = data["recommendations"][0]
    assert first["reason"] == "'국산 배추김치 1kg'을(를) 구매한 고객이 함께 많이 구매한 상품"
    assert data["recommendations"][2]["reason"] == "최근 30일 동안 많이 팔린 인기 상품"
    assert first["product_name"] == "태양초 고추장 500g"
    assert (
        first["price"] == 9900.0 and first["currency"] == "KRW" and first["category_id"] == world["p"]["C"].category_id
    )
    usd = data["recommendations"][4]
    assert (usd["price"], usd["currency"]) == (4.5, "USD")
    meta = data["metadata"]
    assert meta["total_recommendations"] == 5
    assert meta["model_version"] == ModelArtifact.objects.get(name="shop_product_recs").version
    assert meta["model_as_of"] == "2026-10-15" and meta["cold_start"] is False
    # one product bought: depth 1/4; the first two items owe their score to the buyer's history
    assert 0 < meta["confidence_score"] < 0.25


def test_products_bought_after_training_are_excluded_too(world, api_client_for):
    u9 = world["u"]["u9"]
    OrderFactory(buyer=u9, created_at=timezone.now(), items=[(world["p"]["C"], 1, None)])
    r = api_client_for("MANAGER").get(USER_URL.format(u9.pk), {"algorithm": "collaborative"})
    assert ids(world, r.json()["data"]) == ["B", "G", "D", "F"]


def test_content_based_prefers_the_same_kind_of_product(world, api_client_for):
    u8 = world["u"]["u8"]  # bought 얼큰 라면 only
    data = api_client_for("MANAGER").get(USER_URL.format(u8.pk), {"algorithm": "content_based"}).json()["data"]
    names = ids(world, data)
    assert names[0] == "F" and "E" not in names and "D" not in names
    assert data["recommendations"][0]["reason"] == "자주 구매하신 라면/면류와 비슷한 상품"


def test_hybrid_is_the_default_and_never_lists_bought_or_inactive(world, api_client_for):
    for who in ("u1", "u2", "u5", "u9"):
        data = api_client_for("MANAGER").get(USER_URL.format(world["u"][who].pk)).json()["data"]
        assert data["algorithm"] == "hybrid"
        names = ids(world, data)
        bought = {"u1": "AB", "u2": "ABC", "u5": "DE", "u9": "A"}[who]
        assert not set(names) & set(bought) and "E" not in names
        assert all(r["reason"] for r in data["recommendations"])


def test_deactivated_after_caching_is_dropped_from_a_cached_result(world, api_client_for):
    client = api_client_for("MANAGER")
    url = USER_URL.format(world["u"]["u9"].pk)
    first = ids(world, client.get(url, {"algorithm": "collaborative"}).json()["data"])
    Product.objects.filter(pk=world["p"]["C"].pk).update(is_active=False)  # no invalidation
    second = client.get(url, {"algorithm": "collaborative"}).json()["data"]
    assert first[0] == "C" and "C" not in ids(world, second)
    assert second["metadata"]["total_recommendations"] == len(second["recommendations"]) == 4


def test_cold_start_uses_browsed_categories_then_popularity(world, api_client_for):
    new = world["u"]["new"]
    PageView.objects.create(
        customer=new, session_id="s1", path="/c/jang", category=world["p"]["C"].category, viewed_at=timezone.now()
    )
    data = api_client_for("MANAGER").get(USER_URL.format(new.pk), {"limit": 3}).json()["data"]
    assert ids(world, data) == ["C", "G", "A"]
    assert (
        data["recommendations"][0]["reason"]
        == "최근 둘러보신 '장류' 카테고리의 인기 상품 (구매 이력이 없어 관심 카테고리 기준)"
    )
    assert data["recommendations"][1]["reason"] == "구매 이력이 없어 추천하는 최근 30일 인기 상품"
    assert data["metadata"]["cold_start"] is True
    assert data["metadata"]["confidence_score"] == round(0.1 * 1 / 6, 4)


def test_cold_start_without_any_signal_is_popular_overall(world, api_client_for):
    data = api_client_for("MANAGER").get(USER_URL.format(world["u"]["new"].pk), {"limit": 3}).json()["data"]
    assert ids(world, data) == ["G", "A", "C"]
    assert data["metadata"]["confidence_score"] == 0.0


def test_related_products_need_support_and_significance(world, api_client_for):
    data = api_client_for("MANAGER").get(RELATED_URL.format(world["p"]["A"].pk)).json()["data"]
    rel = data["related_products"]
    assert rel[0] == {
        "product_id": world["p"]["C"].pk,
        "product_name": "태양초 고추장 500g",
        "similarity_score": round(3 / 20**0.5, 4),
        "relation_type": "frequently_bought_together",
        "support": 3,
        "lift": round(3 * 39 / (5 * 4), 2),
    }
    # A and B share two baskets only: not "bought together", at most "similar"
    kinds = {r["product_id"]: r["relation_type"] for r in rel}
    assert kinds.get(world["p"]["B"].pk) in (None, "similar_product")
    assert all(r["relation_type"] == "similar_product" for r in rel[1:])
    assert world["p"]["E"].pk not in kinds and world["p"]["A"].pk not in kinds


def test_unknown_product_and_customer(world, api_client_for):
    client = api_client_for("MANAGER")
    r = client.get(RELATED_URL.format(987654))
    assert r.status_code == 404 and r.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    r = client.get(USER_URL.format(987654))
    assert r.status_code == 404 and r.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    # the 404 wins over an invalid query; a known product with it is a 400
    r = client.get(RELATED_URL.format(987654), {"limit": 0})
    assert r.status_code == 404 and r.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    r = client.get(RELATED_URL.format(world["p"]["A"].pk), {"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert AuditLog.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 51}, {"limit": "x"}, {"algorithm": "magic"}],
)
def test_bad_query_is_a_validation_error_and_not_audited(world, api_client_for, query):
    r = api_client_for("MANAGER").get(USER_URL.format(world["u"]["u9"].pk), query)
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert AuditLog.objects.count() == 0


def test_limit_is_respected(world, api_client_for):
    data = api_client_for("MANAGER").get(USER_URL.format(world["u"]["u9"].pk), {"limit": 2}).json()["data"]
    assert len(data["recommendations"]) == data["metadata"]["total_recommendations"] == 2
    rel = api_client_for("MANAGER").get(RELATED_URL.format(world["p"]["A"].pk), {"limit": 1}).json()["data"]
    assert len(rel["related_products"]) == 1


def test_reads_are_audited_including_cache_hits(world, api_client_for):
    client = api_client_for("MANAGER")
    u9 = world["u"]["u9"]
    for _ in range(2):
        assert client.get(USER_URL.format(u9.pk), {"algorithm": "collaborative", "limit": 2}).status_code == 200
    rows = list(AuditLog.objects.order_by("id").values("action", "customer_ids", "cache_hit", "status_code", "query"))
    assert [(r["action"], r["customer_ids"], r["cache_hit"], r["status_code"]) for r in rows] == [
        ("view", [u9.pk], False, 200),
        ("view", [u9.pk], True, 200),
    ]
    assert rows[0]["query"]["product_ids"] == [world["p"]["C"].pk, world["p"]["B"].pk]
    client.get(RELATED_URL.format(world["p"]["A"].pk))  # not customer data
    assert AuditLog.objects.count() == 2


def test_a_new_order_invalidates_the_cached_list(world, api_client_for):
    from commerce.services.orders import shop_invalidate

    client = api_client_for("MANAGER")
    u9 = world["u"]["u9"]
    client.get(USER_URL.format(u9.pk), {"algorithm": "collaborative"})
    OrderFactory(buyer=u9, created_at=timezone.now(), items=[(world["p"]["B"], 1, None)])
    shop_invalidate(u9.pk)  # what commerce services do after an order
    data = client.get(USER_URL.format(u9.pk), {"algorithm": "collaborative"}).json()["data"]
    assert ids(world, data) == ["C", "G", "D", "F"]
    assert AuditLog.objects.filter(cache_hit=True).count() == 0


def test_a_retrained_model_is_served_on_the_next_request(world, api_client_for):
    client = api_client_for("MANAGER")
    url = USER_URL.format(world["u"]["u9"].pk)
    v1 = client.get(url).json()["data"]["metadata"]["model_version"]
    saved = product_recs_train(as_of=AS_OF + dt.timedelta(days=1), params=RecParams())
    data = client.get(url).json()["data"]
    assert data["metadata"]["model_version"] == saved.version != v1
    assert data["metadata"]["model_as_of"] == "2026-10-16"


@pytest.mark.parametrize(("role", "status"), [("STAFF", 403), ("MANAGER", 200), ("ADMIN", 200)])
def test_roles(world, api_client_for, role, status):
    client = api_client_for(role)
    assert client.get(USER_URL.format(world["u"]["u9"].pk)).status_code == status
    assert client.get(RELATED_URL.format(world["p"]["A"].pk)).status_code == status


def test_without_a_trained_model_the_answer_says_so(db, api_client_for):
    w = build_world()
    r = api_client_for("MANAGER").get(USER_URL.format(w["u"]["u9"].pk))
    assert r.status_code == 503 and r.json()["error"]["code"] == "MODEL_NOT_TRAINED"
    assert "train_product_recs" in r.json()["error"]["message"]


def test_both_routes_share_the_recommendations_rate_limit(world, api_client_for, settings):
    settings.RATE_LIMIT_OVERRIDES = {"recommendations": "3/m"}
    client = api_client_for("MANAGER")
    codes = [client.get(USER_URL.format(world["u"]["u9"].pk)).status_code for _ in range(2)]
    codes.append(client.get(RELATED_URL.format(world["p"]["A"].pk)).status_code)
    over = client.get(RELATED_URL.format(world["p"]["A"].pk))
    assert codes == [200, 200, 200]
    assert over.status_code == 429 and over.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert "Retry-After" in over.headers


def test_rating_average_is_the_mean_of_reviews_before_the_model_date(world, api_client_for):
    from commerce.testing.factories import ReviewFactory

    from .shop_world import BOUGHT_AT

    c = world["p"]["C"]
    ReviewFactory(product=c, rating=4, created_at=BOUGHT_AT + dt.timedelta(days=2))
    ReviewFactory(product=c, rating=5, created_at=BOUGHT_AT + dt.timedelta(days=3))
    ReviewFactory(product=c, rating=1, created_at=timezone.now())  # after the model's date
    product_recs_train(as_of=AS_OF, params=RecParams())
    data = api_client_for("MANAGER").get(USER_URL.format(world["u"]["u9"].pk), {"algorithm": "collaborative"})
    recs = data.json()["data"]["recommendations"]
    assert [(r["product_id"], r["rating_average"]) for r in recs[:2]] == [(c.pk, 4.5), (world["p"]["B"].pk, None)]


def test_query_counts_do_not_grow_with_the_list(world, api_client_for, django_assert_max_num_queries):
    client = api_client_for("MANAGER")
    client.get(USER_URL.format(world["u"]["u1"].pk))  # loads the artifact once per process
    with django_assert_max_num_queries(11):
        assert client.get(USER_URL.format(world["u"]["u9"].pk), {"limit": 50}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(RELATED_URL.format(world["p"]["A"].pk), {"limit": 50}).status_code == 200


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestUserProductsContract(EndpointContract):
    url_name = "recommendations-user-products"
    invalid_query = {"limit": 0}
    audit_action = AuditLog.Action.VIEW
    customer_kwarg = "user_id"

    @pytest.fixture
    def subject(self, world) -> Subject:
        return Subject(customer=world["u"]["u1"], query={"limit": 5})
