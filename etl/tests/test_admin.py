"""Back office: the sync page, starting a sync from it, and product/order removal through the
services (the deletion log the index relies on)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commerce.models import DeletionLog, Product
from commerce.testing.factories import ProductFactory
from etl.models import SyncRun, SyncState

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(backoffice_client_for):
    return backoffice_client_for("ADMIN")


def test_sync_page_shows_cursor_last_run_counts_and_errors(admin, catalog, django_capture_on_commit_callbacks):
    state = SyncState.objects.create(entity="products", target="embedded")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:etl_syncstate_changelist"),
            {"action": "sync_incremental", "_selected_action": [state.pk]},
            follow=True,
        )
    assert response.status_code == 200
    run = SyncRun.objects.get()
    assert f"{run.code} 시작 (5건)" in response.content.decode()
    page = admin.get(reverse("admin:etl_syncstate_changelist")).content.decode()
    assert run.code in page and "추출 5 · 색인 5 · 삭제 0 · 실패 0" in page and "완료" in page
    assert admin.get(reverse("admin:etl_syncrun_changelist")).status_code == 200
    assert admin.get(reverse("admin:etl_syncrun_change", args=[run.pk])).status_code == 200


def test_admin_product_delete_and_deactivate_go_through_the_services(admin, db):
    doomed, stopped = ProductFactory(), ProductFactory()
    response = admin.post(reverse("admin:commerce_product_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Product.objects.filter(pk=doomed.pk).exists()
    response = admin.post(
        reverse("admin:commerce_product_changelist"),
        {"action": "deactivate_selected", "_selected_action": [stopped.pk]},
    )
    assert response.status_code == 302
    stopped.refresh_from_db()
    assert stopped.is_active is False
    logged = list(DeletionLog.objects.values_list("entity", "object_id", "reason"))
    assert logged == [("product", doomed.pk, "deleted"), ("product", stopped.pk, "deactivated")]


def test_sync_command_and_beat_task(catalog, settings):
    import io

    from django.core.management import call_command

    from etl.tasks import sync_incremental

    out = io.StringIO()
    call_command("sync_search_index", "--entity", "products", "--quiet-progress", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "products → embedded (full), 5건" in text
    assert "completed: 추출 5, 색인 5, 삭제 0, 실패 0" in text and "문서 5" in text
    assert settings.CELERY_BEAT_SCHEDULE["etl-products-incremental"]["task"] == "etl.sync_incremental"
    job_id = sync_incremental(entity="products")  # eager here: ran inline at commit
    assert SyncRun.objects.get(code=job_id).records_to_sync == 0


def test_unticking_is_active_in_the_change_form_is_logged(admin, db):
    product = ProductFactory(name="쌈장 500g")
    url = reverse("admin:commerce_product_change", args=[product.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["nutrition_facts"] = '{"sodium_mg": 100}'
    data.pop("is_active", None)  # an unticked checkbox is not sent
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    product.refresh_from_db()
    assert product.is_active is False and product.nutrition_facts == {"sodium_mg": 100}
    assert list(DeletionLog.objects.values_list("object_id", "reason")) == [(product.pk, "deactivated")]
