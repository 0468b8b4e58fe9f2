"""The least-role table (accounts/policy.py) against every kind of caller.

1. The rule itself, on a test view per least role: anonymous, each user role and each
   service role, with ``>=`` semantics.
2. Every row of POLICY on the real route: callers below the least role get 401/403 and nothing
   else; callers at or above it are let through. A planned route joins POLICY when it is built
   (deny by default covers it until then), so every row has a route.
"""

from __future__ import annotations

import functools
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.policy import POLICY, RATE_LIMITS, rule_for
from accounts.roles import Role, role_at_least
from accounts.testing.fixtures import make_internal_token

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "user:STAFF", "user:MANAGER", "user:ADMIN", "service:STAFF", "service:MANAGER", "service:ADMIN"]
ROLE_OF = {"anonymous": None} | {c: c.split(":")[1] for c in CALLERS[1:]}


@pytest.fixture
def client_for(api_client_for):
    def make(caller: str) -> APIClient:
        if caller == "anonymous":
            return APIClient()
        kind, role = caller.split(":")
        if kind == "user":
            return api_client_for(role)
        client = APIClient()
        client.credentials(HTTP_X_INTERNAL_TOKEN=make_internal_token(role, f"svc-{role.lower()}"))
        return client

    return make


def expected_status(least: Role | None, caller_role: str | None) -> int:
    if least is None:
        return 200
    if caller_role is None:
        return 401
    return 200 if role_at_least(caller_role, least) else 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("route", "least"), [("anonymous", None), ("staff", Role.STAFF), ("manager", Role.MANAGER), ("admin", Role.ADMIN)]
)
def test_least_role_rule_on_test_views(test_routes, client_for, caller, route, least):
    response = client_for(caller).get(f"/api/v1/_test/{route}")
    status = expected_status(least, ROLE_OF[caller])
    assert response.status_code == status
    if status == 401:
        assert response.json()["error"]["code"] == "MISSING_TOKEN"
    elif status == 403:
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    else:
        assert response.json()["success"] is True


def test_table_is_well_formed():
    for name, rules in POLICY.items():
        assert rules, name
        for method, rule in rules.items():
            assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, (name, method)
            assert rule.least_role in (None, *Role.values), (name, method)
            assert rule.rate_scope in (None, *RATE_LIMITS), (name, method)


def test_rule_lookup():
    assert rule_for("customer-detail", "GET").least_role == "STAFF"
    assert rule_for("customer-detail", "PATCH").least_role == "ADMIN"
    assert rule_for("customer-detail", "HEAD").least_role == "STAFF"  # HEAD/OPTIONS follow GET
    assert rule_for("customer-detail", "DELETE") is None
    assert rule_for("no-such-route", "GET") is None
    assert rule_for(None, "GET") is None


# --- every row of the table on its real route ---------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_SAMPLE = {
    "int": "987654",
    "id": "987654",
    "str": "x987654",
    "slug": "x987654",
    "uuid": str(uuid.UUID(int=987654)),
    "path": "x",
}


@functools.cache
def named_paths() -> dict[str, str]:
    """url name → a concrete path (converters filled with ids that do not exist)."""
    found: dict[str, str] = {}

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text)
            elif isinstance(entry, URLPattern) and entry.name and entry.name not in found:
                found[entry.name] = "/" + _CONVERTER.sub(lambda m: _SAMPLE.get(m.group(1) or "str", "x"), text).lstrip(
                    "^"
                ).rstrip("$")

    walk(get_resolver().url_patterns, "")
    return found


def test_every_policy_row_names_a_built_route():
    missing = sorted(set(POLICY) - set(named_paths()))
    assert missing == [], f"POLICY rows without a route (add them when the route is built): {missing}"


ROWS = [(name, method, rule.least_role) for name, rules in POLICY.items() for method, rule in rules.items()]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("name", "method", "least"), ROWS, ids=[f"{n}-{m}" for n, m, _ in ROWS])
def test_every_policy_row_on_its_route(client_for, settings, caller, name, method, least):
    path = named_paths()[name]
    settings.RATELIMIT_ENABLE = False
    response = client_for(caller).generic(method, path, data="{}", content_type="application/json")
    role = ROLE_OF[caller]
    if least is not None and role is None:
        if name == "schema":  # without credentials: the sign-in part (core/tests/test_openapi.py)
            assert response.status_code == 200
            return
        assert response.status_code == 401, response.content[:300]
        assert response.json()["error"]["code"] == "MISSING_TOKEN"
    elif least is not None and not role_at_least(role, least):
        assert response.status_code == 403, response.content[:300]
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    else:
        # let through: whatever the endpoint answers, it is not an access refusal
        assert response.status_code not in (401, 403) or response.json()["error"]["code"] not in (
            "MISSING_TOKEN",
            "UNAUTHORIZED_ACCESS",
        ), (response.status_code, response.content[:300])
        assert response.status_code != 405, "POLICY lists a method the view does not implement"
