"""Product search on the synced embedded index: Korean queries, filters, sorting, paging."""

from __future__ import annotations

import pytest

from etl.models import SyncState

from .helpers import start_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(catalog, api_client_for, django_capture_on_commit_callbacks):
    response = start_sync(api_client_for("ADMIN"), django_capture_on_commit_callbacks, entity="products")
    assert response.status_code == 202
    return catalog


def _search(client, **params) -> dict:
    response = client.get("/api/v1/products/search", params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("김치찌개", ["stew_kit"]),  # one noun for Kiwi; the bigrams find "김치 찌개"
        ("고추장", ["gochujang"]),
        ("김치", ["stew_kit", "cabbage"]),  # inside 배추김치 only through the bigrams
        ("찌개 밀키트", ["stew_kit", "army_stew"]),
        ("500g", ["gochujang"]),
        ("kimchi", ["stew_kit", "cabbage"]),
        ("된장", ["doenjang"]),
    ],
)
def test_korean_queries_find_their_products(synced, api_client_for, q, expected):
    data = _search(api_client_for("STAFF"), q=q)
    assert sorted(p["product_id"] for p in data["products"]) == sorted(synced[k].pk for k in expected)
    assert data["pagination"]["total"] == len(expected)


def test_result_shape_highlight_and_freshness(synced, api_client_for):
    data = _search(api_client_for("STAFF"), q="김치찌개")
    (hit,) = data["products"]
    assert set(hit) == {
        "product_id", "product_name", "category_id", "category_name", "price", "currency",
        "rating_average", "review_count", "score", "highlight",
    }  # fmt: skip
    assert hit["product_name"] == "김치 찌개 밀키트" and hit["category_name"] == "즉석식품"
    assert hit["price"] == 9900.0 and hit["currency"] == "KRW" and hit["score"] > 0
    assert hit["highlight"] == "<em>김치</em> <em>찌개</em> 밀키트"
    state = SyncState.objects.get(entity="products", target="embedded")
    assert data["indexed_at"] == state.indexed_at.isoformat().replace("+00:00", "Z")
    assert data["index"] == {"target": "embedded", "name": state.index_name, "document_count": 5}
    assert data["pagination"] == {"page": 1, "size": 20, "total": 1, "total_pages": 1}
    assert _search(api_client_for("STAFF"), q="고추장")["products"][0]["highlight"] == "태양초 <em>고추장</em> 500g"


def test_filters_sort_and_paging(synced, api_client_for):
    client = api_client_for("STAFF")
    meal = synced["categories"]["meal"].pk
    data = _search(client, category_id=meal, sort="price_asc")
    assert [p["product_id"] for p in data["products"]] == [synced["stew_kit"].pk, synced["army_stew"].pk]
    assert all(p["score"] is None for p in data["products"])
    data = _search(client, min_price=9000, max_price=14000, sort="price_desc")
    assert [p["price"] for p in data["products"]] == [13900.0, 12900.0, 9900.0]
    page2 = _search(client, sort="price_asc", page=2, size=2)
    assert [p["price"] for p in page2["products"]] == [12900.0, 13900.0]
    assert page2["pagination"] == {"page": 2, "size": 2, "total": 5, "total_pages": 3}
    assert _search(client, q="고추장", category_id=synced["categories"]["meal"].pk)["products"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"size": 0},
        {"size": 101},
        {"page": 0},
        {"sort": "popular"},
        {"category_id": "abc"},
        {"min_price": -1},
        {"min_price": 20000, "max_price": 1000},
        {"page": 200, "size": 100},
    ],
)
def test_bad_search_requests_are_validation_errors(synced, api_client_for, params):
    response = api_client_for("STAFF").get("/api/v1/products/search", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_search_before_any_sync_says_so(catalog, api_client_for):
    data = _search(api_client_for("STAFF"), q="김치")
    assert data["products"] == [] and data["indexed_at"] is None and data["index"] is None
    assert data["pagination"] == {"page": 1, "size": 20, "total": 0, "total_pages": 0}


def test_searches_see_the_new_index_only_after_the_switch(synced, api_client_for, django_capture_on_commit_callbacks):
    from commerce.testing.factories import ProductFactory

    client = api_client_for("STAFF")
    ProductFactory(name="순창 찹쌀고추장 1kg", category=synced["categories"]["sauce"])
    assert len(_search(client, q="고추장")["products"]) == 1  # not synced yet
    start_sync(api_client_for("ADMIN"), django_capture_on_commit_callbacks, entity="products", mode="full")
    assert len(_search(client, q="고추장")["products"]) == 2
