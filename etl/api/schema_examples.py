"""Real-shaped examples of the ETL and product search answers for Swagger (docs/etl.md)."""

from __future__ import annotations

SYNC_STARTED = {
    "job_id": "ETL-20261129-0003",
    "status": "started",
    "records_to_sync": 3,
    "entity": "products",
    "target": "embedded",
    "mode": "incremental",
}

_INDEX = "products-etl-20261129-0001"

JOB = {
    "job_id": "ETL-20261129-0003",
    "status": "completed",
    "progress": 100.0,
    "source": "postgresql",
    "target": "embedded",
    "entity": "products",
    "mode": "incremental",
    "records_to_sync": 3,
    "counts": {"extracted": 3, "indexed": 1, "deleted": 2, "skipped": 0, "failed": 0},
    "cursor_before": {"updated_at": "2026-11-29T10:00:00+00:00", "id": 41, "deletion_log_id": 0, "index": _INDEX},
    "cursor_after": {"updated_at": "2026-11-29T10:05:12+00:00", "id": 17, "deletion_log_id": 2, "index": _INDEX},
    "failures": [],
    "error": None,
    "result": {"index": _INDEX, "document_count": 3, "duration_seconds": 0.41},
    "duration_seconds": 0.43,
    "finished": True,
    "created_by": "admin",
    "created_at": "2026-11-29T10:05:11Z",
    "started_at": "2026-11-29T10:05:11Z",
    "finished_at": "2026-11-29T10:05:12Z",
}

PRODUCT_SEARCH = {
    "products": [
        {
            "product_id": 35,
            "product_name": "김치 찌개 밀키트",
            "category_id": 7,
            "category_name": "즉석식품",
            "price": 9900.0,
            "currency": "KRW",
            "rating_average": 4.3,
            "review_count": 12,
            "score": 9.81,
            "highlight": "<em>김치</em> <em>찌개</em> 밀키트",
        }
    ],
    "pagination": {"page": 1, "size": 20, "total": 1, "total_pages": 1},
    "query": {"q": "김치찌개", "category_id": None, "min_price": None, "max_price": 15000.0, "sort": "relevance"},
    "matched": "all",
    "indexed_at": "2026-11-29T10:05:12.481Z",
    "index": {"target": "embedded", "name": _INDEX, "document_count": 5},
}
