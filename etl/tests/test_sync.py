"""The sync engine against the real embedded (tantivy) index: full, incremental with an update,
a deactivation and a deletion, a run killed after its first batch, the lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_from_user
from commerce.models import DeletionLog, Product
from commerce.services.products import product_deactivate, product_delete
from commerce.testing.factories import OrderFactory, ProductFactory
from core.models import Job
from etl.models import SyncRun, SyncState
from etl.services import sync as sync_service

from .helpers import index_documents, start_sync

pytestmark = pytest.mark.django_db


def _status(client, job_id: str) -> dict:
    response = client.get(f"/api/v1/etl/jobs/{job_id}")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_full_then_incremental_sends_exactly_the_changes(
    catalog, api_client_for, users, django_capture_on_commit_callbacks
):
    admin = api_client_for("ADMIN")
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode="full")
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert data["status"] == "started" and data["records_to_sync"] == 5 and data["mode"] == "full"
    assert data["job_id"].startswith(f"ETL-{timezone.localdate():%Y%m%d}-") and data["job_id"].endswith("-0001")
    status = _status(admin, data["job_id"])
    assert status["status"] == "completed"
    assert status["counts"] == {"extracted": 5, "indexed": 5, "deleted": 0, "skipped": 0, "failed": 0}
    docs = index_documents()
    assert set(docs) == {p.pk for k, p in catalog.items() if k != "categories"}
    stew = docs[catalog["stew_kit"].pk]
    assert stew["product_name"] == "김치 찌개 밀키트" and stew["category_name"] == "즉석식품"
    assert stew["price"] == 9900.0 and stew["currency"] == "KRW" and stew["review_count"] == 0
    assert stew["rating_average"] is None and stew["nutrition_facts"]["sodium_mg"] == 650

    actor = principal_from_user(users["ADMIN"])
    gochujang = catalog["gochujang"]
    gochujang.price = Decimal("7900")
    gochujang.name = "태양초 고추장 1kg"
    gochujang.save()
    product_deactivate(actor=actor, product=catalog["doenjang"])
    product_delete(actor=actor, product=catalog["army_stew"])
    assert DeletionLog.objects.count() == 2

    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode="incremental")
    data = response.json()["data"]
    assert response.status_code == 202 and data["mode"] == "incremental"
    assert data["records_to_sync"] == 3  # updated, deactivated (changed and logged: once), deleted
    assert data["job_id"].endswith("-0002")
    status = _status(admin, data["job_id"])
    assert status["status"] == "completed"
    assert status["counts"] == {"extracted": 3, "indexed": 1, "deleted": 2, "skipped": 0, "failed": 0}
    docs = index_documents()
    assert set(docs) == {catalog["stew_kit"].pk, gochujang.pk, catalog["cabbage"].pk}
    assert docs[gochujang.pk]["price"] == 7900.0 and docs[gochujang.pk]["product_name"] == "태양초 고추장 1kg"
    state = SyncState.objects.get(entity="products", target="embedded")
    assert status["cursor_before"]["deletion_log_id"] == 0
    assert status["cursor_after"]["deletion_log_id"] == DeletionLog.objects.order_by("-id").first().pk
    assert status["cursor_after"]["id"] == state.cursor_id
    assert state.document_count == 3 and state.lock_job_id is None

    # nothing changed: nothing to send
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products")
    assert response.json()["data"]["records_to_sync"] == 0
    assert _status(admin, response.json()["data"]["job_id"])["counts"]["extracted"] == 0


def test_job_status_shape(catalog, api_client_for, django_capture_on_commit_callbacks):
    admin = api_client_for("ADMIN")
    job_id = start_sync(admin, django_capture_on_commit_callbacks, entity="products").json()["data"]["job_id"]
    status = _status(admin, job_id)
    assert set(status) == {
        "job_id", "status", "progress", "source", "target", "entity", "mode", "records_to_sync", "counts",
        "cursor_before", "cursor_after", "failures", "error", "result", "duration_seconds", "finished",
        "created_by", "created_at", "started_at", "finished_at",
    }  # fmt: skip
    assert status["source"] == "sqlite" or status["source"] == "postgresql"
    assert status["target"] == "embedded" and status["progress"] == 100 and status["finished"] is True
    assert status["cursor_before"] == {"updated_at": None, "id": 0, "deletion_log_id": 0, "index": None}
    assert status["cursor_after"]["index"] == f"products-{job_id.lower()}"
    assert status["result"]["document_count"] == 5 and status["duration_seconds"] >= 0
    assert status["failures"] == [] and status["error"] is None and status["created_by"] == "admin-user"


def test_a_bad_record_is_listed_and_the_job_goes_on(catalog, api_client_for, django_capture_on_commit_callbacks):
    Product.objects.filter(pk=catalog["cabbage"].pk).update(nutrition_facts=["not", "an", "object"])
    admin = api_client_for("ADMIN")
    job_id = start_sync(admin, django_capture_on_commit_callbacks, entity="products").json()["data"]["job_id"]
    status = _status(admin, job_id)
    assert status["status"] == "completed"
    assert status["counts"] == {"extracted": 5, "indexed": 4, "deleted": 0, "skipped": 0, "failed": 1}
    assert status["failures"] == [
        {"product_id": catalog["cabbage"].pk, "error": "ValueError: nutrition_facts is not an object"}
    ]
    assert catalog["cabbage"].pk not in index_documents()


class Killed(BaseException):
    """Stands for the worker process dying: no ``except Exception`` in the job engine sees it."""


@pytest.mark.parametrize("mode", ["incremental", "full"])
@pytest.mark.parametrize("moment", ["after_cursor_moved", "after_ack_before_cursor"])
def test_a_run_killed_after_its_first_batch_and_run_again_ends_exact(
    mode, moment, catalog, api_client_for, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    admin = api_client_for("ADMIN")
    start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode="full")
    extra = [ProductFactory(name=f"고추장 떡볶이 {i}", category=catalog["categories"]["sauce"]) for i in range(4)]
    expected_first = 4 if mode == "incremental" else 9
    # after_cursor_moved: the batch was acknowledged and the cursor saved; the re-run sends the rest.
    # after_ack_before_cursor: the target has the batch but the cursor did not move; the re-run
    # sends it again (an upsert by id: no duplicate).
    left = expected_first - 2 if moment == "after_cursor_moved" else expected_first
    if moment == "after_cursor_moved":

        def die(n: int) -> None:
            if n:
                raise Killed

        token = sync_service.progress_hook.set(die)
    else:
        from etl.targets import embedded

        real_write = embedded.EmbeddedWriter.write

        def write_then_die(self, **kwargs):
            real_write(self, **kwargs)
            raise Killed

        monkeypatch.setattr(embedded.EmbeddedWriter, "write", write_then_die)
    with pytest.raises(Killed):
        start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode=mode)
    if moment == "after_cursor_moved":
        sync_service.progress_hook.reset(token)
    else:
        monkeypatch.undo()
    first = SyncRun.objects.order_by("-id").first()
    assert first.records_to_sync == expected_first
    assert first.job.status == Job.Status.RUNNING  # the worker "died" holding it
    state = SyncState.objects.get(entity="products", target="embedded")
    assert state.lock_job_id == first.job_id

    # while its heartbeat is fresh the lock holds: refused
    refused = start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode=mode)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "SYNC_IN_PROGRESS"
    assert refused.json()["error"]["details"]["job_id"] == first.code

    # the reaper fails the dead job: the pair is free again and the re-run sends what is left
    Job.objects.filter(pk=first.job_id).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 5)
    )
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode=mode)
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert data["records_to_sync"] == left
    status = _status(admin, data["job_id"])
    assert status["status"] == "completed"
    assert status["counts"]["extracted"] == left
    assert status["counts"]["indexed"] == left
    first.job.refresh_from_db()
    assert first.job.status == Job.Status.FAILED
    docs = index_documents()  # asserts no duplicates
    assert set(docs) == {p.pk for p in Product.objects.filter(is_active=True)}
    assert {p.pk for p in extra} <= set(docs)
    if mode == "full":
        state.refresh_from_db()
        assert state.index_name == f"products-{first.code.lower()}"  # the resumed build went live
        assert state.pending_index == ""


def test_a_sync_while_one_runs_is_refused_and_changes_nothing(catalog, api_client_for, users):
    admin = api_client_for("ADMIN")
    run = sync_service.etl_sync_start(actor=principal_from_user(users["ADMIN"]), entity="products", send=False)
    before = (SyncRun.objects.count(), Job.objects.count())
    response = admin.post("/api/v1/etl/sync", {"entity": "products", "mode": "full"}, format="json")
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "SYNC_IN_PROGRESS" and body["details"]["job_id"] == run.code
    assert (SyncRun.objects.count(), Job.objects.count()) == before
    # another entity is another lock
    other = admin.post("/api/v1/etl/sync", {"entity": "orders"}, format="json")
    assert other.status_code == 202


def test_orders_sync_and_order_deletion(db, api_client_for, users, django_capture_on_commit_callbacks):
    from commerce.services.products import order_delete

    orders = [OrderFactory() for _ in range(3)]
    admin = api_client_for("ADMIN")
    start_sync(admin, django_capture_on_commit_callbacks, entity="orders")
    docs = index_documents("orders")
    assert set(docs) == {o.pk for o in orders}
    first = docs[orders[0].pk]
    assert first["buyer_id"] == orders[0].buyer_id and first["item_count"] >= 1 and first["status"] == "DELIVERED"
    order_delete(actor=principal_from_user(users["ADMIN"]), order=orders[0])
    response = start_sync(admin, django_capture_on_commit_callbacks, entity="orders")
    assert response.json()["data"]["records_to_sync"] == 1
    assert set(index_documents("orders")) == {o.pk for o in orders[1:]}


def test_a_product_deactivated_then_reactivated_stays_in_the_index(
    catalog, api_client_for, users, django_capture_on_commit_callbacks
):
    admin = api_client_for("ADMIN")
    start_sync(admin, django_capture_on_commit_callbacks, entity="products")
    product = catalog["gochujang"]
    product_deactivate(actor=principal_from_user(users["ADMIN"]), product=product)
    product.is_active = True
    product.save()
    data = start_sync(admin, django_capture_on_commit_callbacks, entity="products").json()["data"]
    assert data["records_to_sync"] == 1
    status = _status(admin, data["job_id"])
    assert status["counts"] == {"extracted": 1, "indexed": 1, "deleted": 0, "skipped": 0, "failed": 0}
    assert product.pk in index_documents()
