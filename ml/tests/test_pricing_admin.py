"""``Product.unit_cost`` (the price optimiser's profit target) is editable in the admin's product form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.models import Product
from commerce.testing.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_unit_cost_is_on_the_product_form_and_saves(backoffice_client_for):
    client = backoffice_client_for("ADMIN")
    product = ProductFactory(price=Decimal("15900"))
    url = reverse("admin:commerce_product_change", args=[product.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="unit_cost"' in page.content and "단위 원가".encode() in page.content
    form = {
        "name": product.name,
        "name_en": product.name_en,
        "category": product.category_id,
        "sku": product.sku,
        "price": "15900",
        "unit_cost": "9100",
        "currency": "KRW",
        "image_url": product.image_url,
        "nutrition_facts": "{}",
        "description": "",
        "is_active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    assert Product.objects.get(pk=product.pk).unit_cost == Decimal("9100")
    form["unit_cost"] = "-1"
    response = client.post(url, form)
    assert response.status_code == 200  # the form shows the error
    assert Product.objects.get(pk=product.pk).unit_cost == Decimal("9100")
