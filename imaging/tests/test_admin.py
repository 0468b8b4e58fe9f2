"""Back office: the product's image check (stored, listed, filtered) and reading a label photo
into nutrition_facts, confirmed by staff and audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditLog
from commerce.models import Product
from commerce.testing.factories import ProductFactory
from imaging.synth.labels import label_photo_bytes
from imaging.synth.products import render_product
from imaging.tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


def test_check_image_stores_result_and_date(manager, image_server, allow_local):
    image_server.add("/good.jpg", jpeg_bytes(render_product("studio_white", seed=5)))
    image_server.add("/blurred.jpg", jpeg_bytes(render_product("gaussian_blur", seed=5)))
    good = ProductFactory(image_url=image_server.url("/good.jpg"))
    bad = ProductFactory(image_url=image_server.url("/blurred.jpg"))
    for product in (good, bad):
        r = manager.post(reverse("admin:commerce_product_check_image", args=[product.pk]))
        assert r.status_code == 302
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.image_check_passed is True and good.image_checked_at is not None
    assert (
        good.image_check_result["is_valid"] is True
        and good.image_check_score == good.image_check_result["quality_score"]
    )
    assert bad.image_check_passed is False and bad.image_check_result["checks"]["blur"]["passed"] is False
    rows = AuditLog.objects.filter(action="update", query__changed_fields=["image_check"])
    assert sorted(r.query["object_id"] for r in rows) == sorted([good.pk, bad.pk])

    listing = manager.get(reverse("admin:commerce_product_changelist") + "?image_check=failed")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert bad.name in html and good.name not in html and "불합격" in html
    unchecked = ProductFactory()
    listing = manager.get(reverse("admin:commerce_product_changelist") + "?image_check=unchecked").content.decode()
    assert unchecked.name in listing and good.name not in listing


def test_check_image_of_a_blocked_url_records_the_failure(manager, settings):
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = []
    product = ProductFactory(image_url="http://10.0.0.8/p.jpg")
    manager.post(reverse("admin:commerce_product_check_image", args=[product.pk]))
    product.refresh_from_db()
    assert product.image_check_passed is False
    assert product.image_check_result["error"]["code"] == "IMAGE_DOWNLOAD_FAILED"
    assert "10.0.0.8" not in str(product.image_check_result)


def test_staff_without_change_permission_cannot_check(staff):
    product = ProductFactory()
    r = staff.post(reverse("admin:commerce_product_check_image", args=[product.pk]))
    assert r.status_code == 403
    product.refresh_from_db()
    assert product.image_checked_at is None


def test_change_page_shows_both_buttons(manager):
    product = ProductFactory()
    html = manager.get(reverse("admin:commerce_product_change", args=[product.pk])).content.decode()
    assert reverse("admin:commerce_product_check_image", args=[product.pk]) in html
    assert reverse("admin:commerce_product_read_label", args=[product.pk]) in html


def test_read_label_then_confirm_saves_audited(manager):
    product = ProductFactory(nutrition_facts={})
    url = reverse("admin:commerce_product_read_label", args=[product.pk])
    data, spec = label_photo_bytes(1)
    r = manager.post(url, {"image": SimpleUploadedFile("label.jpg", data, content_type="image/jpeg")})
    assert r.status_code == 200
    form = r.context["confirm_form"]
    assert {k: form.initial[k] for k in spec.facts} == spec.facts
    product.refresh_from_db()
    assert product.nutrition_facts == {}  # nothing saved before staff confirm
    assert not AuditLog.objects.filter(query__changed_fields=["nutrition_facts"]).exists()

    posted = {k: v for k, v in form.initial.items() if v is not None}
    posted["sodium"] = 585  # staff corrects a value against the label
    r = manager.post(url, {**posted, "confirm": "1"})
    assert r.status_code == 302
    product.refresh_from_db()
    expected = dict(spec.facts, sodium=585)
    assert {k: product.nutrition_facts[k] for k in expected} == expected
    assert product.nutrition_facts["serving_size"] == {"value": 120, "unit": "g", "basis": "1회 제공량"}
    row = AuditLog.objects.get(query__changed_fields=["nutrition_facts"])
    assert row.action == "update" and row.query["object_id"] == product.pk and row.query["source"] == "ocr"
    assert row.actor_user_id == manager.user.pk


def test_confirm_with_bad_values_changes_nothing(manager):
    product = ProductFactory(nutrition_facts={"calories": 100})
    url = reverse("admin:commerce_product_read_label", args=[product.pk])
    r = manager.post(url, {"calories": "-5", "sodium": "abc", "confirm": "1"})
    assert r.status_code == 200 and r.context["confirm_form"].errors
    product.refresh_from_db()
    assert product.nutrition_facts == {"calories": 100}
    assert not AuditLog.objects.filter(query__changed_fields=["nutrition_facts"]).exists()


def test_read_label_with_a_wrong_file_shows_an_error(manager):
    product = ProductFactory()
    url = reverse("admin:commerce_product_read_label", args=[product.pk])
    r = manager.post(url, {"image": SimpleUploadedFile("a.gif", b"GIF89a....", content_type="image/gif")}, follow=True)
    assert r.status_code == 200
    assert any("사진을 읽지 못했습니다" in str(m) for m in r.context["messages"])
    assert Product.objects.get(pk=product.pk).nutrition_facts == product.nutrition_facts
