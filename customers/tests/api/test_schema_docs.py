"""Issue 17, Swagger for the customer endpoints: every query parameter declared, a Korean
summary and description (not the view's developer docstring), and a real example of each
success response (not ``{"additionalProp1": "string"}``)."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

HANGUL = re.compile(r"[가-힣]")

QUERY_PARAMETERS = {
    ("get", "/api/v1/customers/search"): {
        "q",
        "service_filter",
        "package_status",
        "membership_level",
        "risk_level",
        "last_visit_from",
        "last_visit_to",
        "sort_by",
        "order",
        "page",
        "size",
    },
    ("get", "/api/v1/customers"): {"sort_by", "order", "page", "size"},
    ("get", "/api/v1/customers/{customer_id}/detail"): {"history_limit"},
    ("get", "/api/v1/customers/{customer_id}/analytics"): {"period", "metrics"},
    ("get", "/api/v1/customers/{customer_id}/recommendations"): {"type", "count"},
    ("get", "/api/v1/customers/{customer_id}/sessions"): {"page", "size"},
    ("get", "/api/v1/customers/{customer_id}/orders"): {"page", "size"},
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def customer_operations(schema: dict):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/customers"):
            for method, operation in item.items():
                if method in {"get", "post", "put", "patch", "delete"}:
                    yield method, path, operation


def test_every_customer_endpoint_is_documented_in_korean_with_a_real_example(schema):
    seen = 0
    for method, path, operation in customer_operations(schema):
        seen += 1
        where = f"{method.upper()} {path}"
        assert HANGUL.search(operation.get("summary", "")), where
        description = operation.get("description", "")
        assert HANGUL.search(description[:40]), (where, description[:80])  # Korean first, not a docstring
        assert "``" not in description, where
        success = next(operation["responses"][code] for code in ("200", "201", "202") if code in operation["responses"])
        examples = success["content"]["application/json"].get("examples", {})
        assert examples, where
        for example in examples.values():
            body = example["value"]
            assert body["success"] is True and body["data"], where
            assert "additionalProp1" not in str(body), where
    assert seen == 14


@pytest.mark.parametrize(("key", "expected"), QUERY_PARAMETERS.items(), ids=[f"{m} {p}" for m, p in QUERY_PARAMETERS])
def test_customer_query_parameters_are_declared(schema, key, expected):
    method, path = key
    operation = schema["paths"][path][method]
    declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert declared == expected
    for parameter in operation["parameters"]:
        if parameter["in"] == "query":
            assert HANGUL.search(parameter.get("description", "")), parameter["name"]


def test_the_intro_links_documents_that_exist(schema):
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    linked = re.findall(r"`(docs/[\w./-]+\.md)`", schema["info"]["description"])
    assert linked and all((root / doc).exists() for doc in linked), linked
