"""The schema documents what the creating POSTs and DELETE answer (issue 10 item 11)."""

from __future__ import annotations

import pytest

from core.tests.test_openapi import generated_schema

CREATING_POSTS = [
    "/api/v1/customers",
    "/api/v1/customers/{customer_id}/sessions",
    "/api/v1/customers/{customer_id}/recommendations/{recommendation_id}/feedback",
]


@pytest.mark.parametrize("path", CREATING_POSTS)
def test_creating_posts_document_201_idempotency_and_its_errors(path):
    op = generated_schema()["paths"][path]["post"]
    assert "201" in op["responses"] and "200" not in op["responses"]
    assert {"409", "422"} <= set(op["responses"])
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op["parameters"])


def test_delete_customer_documents_200():
    op = generated_schema()["paths"]["/api/v1/customers/{customer_id}"]["delete"]
    assert "200" in op["responses"] and "204" not in op["responses"]


@pytest.mark.django_db
def test_delete_customer_answers_200(api_client_for):
    from customers.testing.factories import CustomerFactory

    customer = CustomerFactory()
    assert api_client_for("ADMIN").delete(f"/api/v1/customers/{customer.pk}").status_code == 200
