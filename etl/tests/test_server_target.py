"""Elasticsearch / OpenSearch target against a REAL server: runs only when SEARCH_URL is set
(e.g. SEARCH_URL=http://localhost:9200 SEARCH_BACKEND=elasticsearch, with the analysis-nori
plugin installed). Skipped on the development machines, where no server can run."""

from __future__ import annotations

import os
import uuid

import pytest

from accounts.principal import principal_from_user
from commerce.services.products import product_delete

from .helpers import start_sync

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("SEARCH_URL"), reason="needs a real Elasticsearch/OpenSearch (SEARCH_URL)"),
]


@pytest.fixture
def server(settings):
    from etl.targets import get_target

    settings.SEARCH_URL = os.environ["SEARCH_URL"]
    settings.SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "elasticsearch")
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    yield settings.SEARCH_BACKEND
    target = get_target(settings.SEARCH_BACKEND)
    for entity in ("products", "orders"):
        for name in target.list_indexes(entity):
            target.drop_index(entity, name)


def test_full_incremental_and_search_on_the_server(
    server, catalog, api_client_for, users, django_capture_on_commit_callbacks
):
    from etl.models import SyncState
    from etl.targets import get_target

    admin = api_client_for("ADMIN")
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products", target=server, mode="full")
    assert response.status_code == 202 and response.json()["data"]["records_to_sync"] == 5
    product_delete(actor=principal_from_user(users["ADMIN"]), product=catalog["army_stew"])
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products", target=server)
    assert response.json()["data"]["records_to_sync"] == 1
    state = SyncState.objects.get(entity="products", target=server)
    ids = get_target(server).ids("products", state.index_name)
    assert ids == sorted(p.pk for k, p in catalog.items() if k not in ("categories", "army_stew"))
    for q, key in (("김치찌개", "stew_kit"), ("고추장", "gochujang")):
        found = admin.get("/api/v1/products/search", {"q": q}).json()["data"]["products"]
        assert catalog[key].pk in [p["product_id"] for p in found]
