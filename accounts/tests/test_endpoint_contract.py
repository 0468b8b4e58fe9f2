"""Every customer-data route keeps the endpoint contract (accounts/testing/contract.py).

A customer-data route is one under ``/api/v1/customers`` or with a customer in its path
(``customer_id``, ``user_id``). Each of its methods in POLICY must have a test class that
inherits ``EndpointContract``, declared next to the endpoint's other tests.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.policy import POLICY
from accounts.testing.contract import EndpointContract

CUSTOMER_KWARGS = ("customer_id", "user_id")
_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def customer_data_routes() -> dict[str, str | None]:
    """url name → the URL argument naming the customer (None for list, search, create)."""
    found: dict[str, str | None] = {}

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text)
            elif isinstance(entry, URLPattern) and entry.name in POLICY:
                kwargs = [k for k in _KWARG.findall(text) if k in CUSTOMER_KWARGS]
                if text.startswith("api/v1/customers") or kwargs:
                    found[entry.name] = kwargs[0] if kwargs else None

    walk(get_resolver().url_patterns, "")
    return found


def contract_classes() -> list[type[EndpointContract]]:
    """Every concrete contract class in the project's test modules (imported here so that the
    check holds whichever tests were selected)."""
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("*/tests/**/test_*.py")):
        if "EndpointContract" in path.read_text(encoding="utf-8"):
            importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
    out, todo = [], list(EndpointContract.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "url_name" in cls.__dict__:
            out.append(cls)
    return out


def test_customer_data_routes_are_the_expected_ones():
    # a guard on the discovery itself: these are customer data whatever else is added
    routes = customer_data_routes()
    for name in ("customer-detail", "customer-search", "customer-list", "customer-orders", "analytics-user-behavior"):
        assert name in routes, name
    assert routes["customer-search"] is None
    assert routes["customer-detail"] == "customer_id"
    assert routes["recommendations-user-products"] == "user_id"
    assert "analytics-dashboard" not in routes and "reports-detail" not in routes


def test_every_customer_data_route_and_method_keeps_the_contract():
    routes = customer_data_routes()
    required = {(name, method) for name in routes for method in POLICY[name]}
    covered = {(cls.url_name, cls.method) for cls in contract_classes()}
    missing = sorted(required - covered)
    assert missing == [], f"customer-data routes without an EndpointContract test class: {missing}"
    assert sorted(covered - required) == [], "contract classes for routes that are not customer data"


def test_contract_classes_name_the_customer_argument_of_their_route():
    routes = customer_data_routes()
    wrong = [
        (cls.__qualname__, cls.url_name, cls.customer_kwarg, routes.get(cls.url_name))
        for cls in contract_classes()
        if cls.customer_kwarg != routes.get(cls.url_name)
    ]
    assert wrong == []
