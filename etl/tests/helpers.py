from __future__ import annotations

from etl.models import SyncState
from etl.targets import get_target


def index_documents(entity: str = "products", target: str = "embedded") -> dict[int, dict]:
    state = SyncState.objects.get(entity=entity, target=target)
    key = "product_id" if entity == "products" else "order_id"
    docs = get_target(target).documents(entity, state.index_name)
    ids = [d[key] for d in docs]
    assert len(ids) == len(set(ids)), f"duplicate documents: {sorted(ids)}"
    return {d[key]: d for d in docs}


def start_sync(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/api/v1/etl/sync", body, format="json")
