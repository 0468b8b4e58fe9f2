"""Elasticsearch / OpenSearch at ``SEARCH_URL`` through the official Python client.

One index template per entity with the Korean analyzer ``nori`` (plus a character-bigram
sub-field, as in the embedded index); each full rebuild creates ``<prefix>-<index_name>`` and
moves the alias ``<prefix>-<entity>`` to it in one ``_aliases`` call. Writes are bulk requests;
a batch counts as acknowledged when the bulk call returned (``refresh=wait_for``).

NOT EXERCISED on the development machines (no server can be installed there): the tests in
``etl/tests/test_server_target.py`` run only when ``SEARCH_URL`` is set. The OpenSearch branch
needs ``opensearch-py``, which is not installed; without it ``opensearch`` is unconfigured.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from etl.analysis import query_terms
from etl.highlight import highlight
from etl.models import Entity, Target

KO_ANALYSIS = {
    "analyzer": {
        "ko": {"type": "custom", "tokenizer": "nori_mixed", "filter": ["lowercase", "nori_part_of_speech"]},
        "ko_bigram": {"type": "custom", "tokenizer": "ko_bigram", "filter": ["lowercase"]},
    },
    "tokenizer": {
        "nori_mixed": {"type": "nori_tokenizer", "decompound_mode": "mixed"},
        "ko_bigram": {"type": "ngram", "min_gram": 2, "max_gram": 2, "token_chars": ["letter", "digit"]},
    },
}
KO_TEXT = {"type": "text", "analyzer": "ko", "fields": {"bigram": {"type": "text", "analyzer": "ko_bigram"}}}
MAPPINGS: dict[str, dict] = {
    Entity.PRODUCTS: {
        "dynamic": False,
        "properties": {
            "product_id": {"type": "long"},
            "product_name": KO_TEXT,
            "product_name_en": {"type": "text"},
            "sku": {"type": "keyword"},
            "category_id": {"type": "integer"},
            "category_name": {**KO_TEXT, "fields": {**KO_TEXT["fields"], "raw": {"type": "keyword"}}},
            "price": {"type": "double"},
            "currency": {"type": "keyword"},
            "rating_average": {"type": "float"},
            "review_count": {"type": "integer"},
            "nutrition_facts": {"type": "object", "enabled": False},
            "is_active": {"type": "boolean"},
            "created_at": {"type": "date"},
            "updated_at": {"type": "date"},
        },
    },
    Entity.ORDERS: {
        "dynamic": False,
        "properties": {
            "order_id": {"type": "long"},
            "buyer_id": {"type": "long"},
            "status": {"type": "keyword"},
            "total": {"type": "double"},
            "currency": {"type": "keyword"},
            "item_count": {"type": "integer"},
            "product_ids": {"type": "long"},
            "product_names": KO_TEXT,
            "created_at": {"type": "date"},
            "updated_at": {"type": "date"},
        },
    },
}
SORTS = {
    "relevance": ["_score", {"product_id": "asc"}],
    "price_asc": [{"price": "asc"}, {"product_id": "asc"}],
    "price_desc": [{"price": "desc"}, {"product_id": "asc"}],
    "rating": [{"rating_average": {"order": "desc", "missing": "_last"}}, {"product_id": "asc"}],
    "newest": [{"created_at": "desc"}, {"product_id": "asc"}],
}


def opensearch_available() -> bool:
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        return False
    return True


def _key(entity: str) -> str:
    return "product_id" if entity == Entity.PRODUCTS else "order_id"


class ServerWriter:
    def __init__(self, target: ServerTarget, entity: str, index: str) -> None:
        self.target, self.entity, self.index = target, entity, index

    def write(self, *, upserts: list[dict], deletes: list[int]) -> list[dict]:
        key = _key(self.entity)
        actions: list[dict[str, Any]] = [{"_op_type": "delete", "_index": self.index, "_id": i} for i in deletes]
        actions += [{"_op_type": "index", "_index": self.index, "_id": d[key], "_source": d} for d in upserts]
        if not actions:
            return []
        _ok, errors = self.target.helpers.bulk(
            self.target.client, actions, raise_on_error=False, raise_on_exception=True, refresh="wait_for"
        )
        failures = []
        for error in errors:
            op, info = next(iter(error.items()))
            if op == "delete" and info.get("status") == 404:
                continue  # already gone
            failures.append({key: int(info.get("_id")), "error": str(info.get("error"))[:500]})
        return failures

    def close(self, *, ok: bool) -> None:
        return None


class ServerTarget:
    def __init__(self, name: str) -> None:
        self.name = name
        if name == Target.OPENSEARCH:
            from opensearchpy import OpenSearch, helpers

            self.client = OpenSearch(settings.SEARCH_URL, timeout=30)
        else:
            from elasticsearch import Elasticsearch, helpers

            self.client = Elasticsearch(settings.SEARCH_URL, request_timeout=30)
        self.helpers = helpers
        self.prefix = settings.SEARCH_INDEX_PREFIX

    def _concrete(self, index_name: str) -> str:
        return f"{self.prefix}-{index_name}"

    def _alias(self, entity: str) -> str:
        return f"{self.prefix}-{entity}"

    def _template(self, entity: str) -> None:
        body = {
            "index_patterns": [f"{self.prefix}-{entity}-*"],
            "template": {"settings": {"analysis": KO_ANALYSIS}, "mappings": MAPPINGS[entity]},
        }
        if self.name == Target.OPENSEARCH:
            self.client.indices.put_index_template(name=f"{self.prefix}-{entity}", body=body)
        else:
            self.client.indices.put_index_template(name=f"{self.prefix}-{entity}", **body)

    def create_index(self, entity: str, index_name: str) -> None:
        self._template(entity)
        if not self.exists(entity, index_name):
            self.client.indices.create(index=self._concrete(index_name))

    def open_writer(self, entity: str, index_name: str) -> ServerWriter:
        return ServerWriter(self, entity, self._concrete(index_name))

    def switch_alias(self, entity: str, new_index: str, old_index: str) -> None:
        alias = self._alias(entity)
        actions: list[dict] = []
        if old_index and self.exists(entity, old_index):
            actions.append({"remove": {"index": self._concrete(old_index), "alias": alias}})
        actions.append({"add": {"index": self._concrete(new_index), "alias": alias}})
        if self.name == Target.OPENSEARCH:
            self.client.indices.update_aliases(body={"actions": actions})
        else:
            self.client.indices.update_aliases(actions=actions)

    def publish(self, entity: str, *, index_name: str, indexed_at: object, document_count: int | None = None) -> None:
        """Nothing: the server's alias is the pointer; freshness is read from ``SyncState``."""

    def current(self, entity: str) -> dict | None:
        return None

    def list_indexes(self, entity: str) -> list[str]:
        found = self.client.indices.get(
            index=f"{self.prefix}-{entity}-*", ignore_unavailable=True, allow_no_indices=True
        )
        return sorted(name[len(self.prefix) + 1 :] for name in found)

    def drop_index(self, entity: str, index_name: str) -> None:
        self.client.indices.delete(index=self._concrete(index_name), ignore_unavailable=True)

    def exists(self, entity: str, index_name: str) -> bool:
        return bool(self.client.indices.exists(index=self._concrete(index_name)))

    def count(self, entity: str, index_name: str) -> int:
        self.client.indices.refresh(index=self._concrete(index_name))
        return int(self.client.count(index=self._concrete(index_name))["count"])

    def ids(self, entity: str, index_name: str) -> list[int]:
        key = _key(entity)
        hits = self.helpers.scan(self.client, index=self._concrete(index_name), query={"query": {"match_all": {}}})
        return sorted(int(h["_source"][key]) for h in hits)

    def search_products(self, *, index_name: str, params: dict) -> dict:
        q = (params.get("q") or "").strip()
        must: list[dict] = []
        if q:
            must.append(
                {
                    "bool": {
                        "should": [
                            {"match": {"product_name": {"query": q, "operator": "and", "boost": 2}}},
                            {"match": {"product_name.bigram": {"query": q.replace(" ", ""), "operator": "and"}}},
                            {"match": {"category_name": {"query": q, "operator": "and"}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        filters: list[dict] = []
        if params.get("category_id") is not None:
            filters.append({"term": {"category_id": int(params["category_id"])}})
        price = {
            k: float(params[p]) for k, p in (("gte", "min_price"), ("lte", "max_price")) if params.get(p) is not None
        }
        if price:
            filters.append({"range": {"price": price}})
        page, size = int(params.get("page") or 1), int(params.get("size") or 20)
        sort = params.get("sort") or "relevance"
        body = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
            "sort": SORTS[sort],
            "from": (page - 1) * size,
            "size": size,
            "track_total_hits": True,
        }
        if self.name == Target.OPENSEARCH:
            res = self.client.search(index=self._alias(Entity.PRODUCTS), body=body)
        else:
            res = self.client.search(
                index=self._alias(Entity.PRODUCTS), **{k.replace("from", "from_"): v for k, v in body.items()}
            )
        terms = query_terms(q)
        products = []
        for hit in res["hits"]["hits"]:
            doc = hit["_source"]
            products.append(
                {
                    "product_id": doc["product_id"],
                    "product_name": doc["product_name"],
                    "category_id": doc["category_id"],
                    "category_name": doc["category_name"],
                    "price": doc["price"],
                    "currency": doc["currency"],
                    "rating_average": doc["rating_average"],
                    "review_count": doc["review_count"],
                    "score": hit.get("_score") if sort == "relevance" else None,
                    "highlight": highlight(doc["product_name"], terms),
                }
            )
        return {"products": products, "total": int(res["hits"]["total"]["value"]), "matched": "all" if q else None}
