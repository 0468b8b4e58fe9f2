"""The API's access table, in one place (API.md "Paths").

Each route is named by its URL name. For every method: the least role, the rate-limit scope
and the cache time. A route missing here is refused (deny by default), so a new endpoint
must be added to this table before anyone can call it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from .roles import Role

ANONYMOUS = None  # least role for public routes

MINUTE = 60
HOUR = 3600


@dataclass(frozen=True)
class Rule:
    least_role: Role | None
    rate_scope: str | None = "general"
    cache_seconds: int | None = None


# Requests per hour per principal; login is per minute, per username and per IP.
RATE_LIMITS = {
    "general": "1000/h",
    "analytics": "100/h",
    "recommendations": "50/h",
    "login": "10/m",
}

S, M, A = Role.STAFF, Role.MANAGER, Role.ADMIN

POLICY: dict[str, dict[str, Rule]] = {
    # auth, health
    "auth-token": {"POST": Rule(ANONYMOUS, "login")},
    "auth-token-refresh": {"POST": Rule(ANONYMOUS, "login")},
    "auth-logout": {"POST": Rule(ANONYMOUS, "login")},
    "health": {"GET": Rule(ANONYMOUS, None)},
    "health-ready": {"GET": Rule(ANONYMOUS, None)},
    "health-live": {"GET": Rule(ANONYMOUS, None)},
    # seed 004: customers
    "customer-detail": {
        "GET": Rule(S, "general", 5 * MINUTE),
        "PUT": Rule(A, "general"),
        "PATCH": Rule(A, "general"),
    },
    "customer-analytics": {"GET": Rule(M, "analytics", HOUR)},
    "customer-segment": {"GET": Rule(M, "analytics", HOUR)},
    "customer-recommendations": {"GET": Rule(M, "recommendations", 24 * HOUR)},
    "customer-recommendation-feedback": {"POST": Rule(M, "general")},
    "customer-search": {"GET": Rule(S, "general")},
    # additions users expect (documented in docs/customer-api.md)
    "customer-list": {"GET": Rule(S, "general"), "POST": Rule(A, "general")},
    "customer-delete": {"DELETE": Rule(A, "general")},
    "customer-sessions": {"GET": Rule(S, "general"), "POST": Rule(S, "general")},
    "customer-orders": {"GET": Rule(S, "general")},
    # seed 000 §2: analytics
    "analytics-dashboard": {"GET": Rule(M, "analytics", HOUR)},
    "analytics-user-behavior": {"GET": Rule(M, "analytics", HOUR)},
    "analytics-sales-forecast": {"GET": Rule(M, "analytics", HOUR)},
    # seed 000 §3-7
    "recommendations-user-products": {"GET": Rule(M, "recommendations", 24 * HOUR)},
    "recommendations-product-related": {"GET": Rule(M, "recommendations", 24 * HOUR)},
    "ml-pricing-optimize": {"POST": Rule(M, "analytics")},
    "ml-sentiment-analyze": {"POST": Rule(M, "analytics")},
    "images-validate": {"POST": Rule(S, "general")},
    "images-ocr": {"POST": Rule(S, "general")},
    "reports-sales-monthly": {"POST": Rule(M, "general")},
    "reports-detail": {"GET": Rule(M, "general")},
    "reports-download": {"GET": Rule(M, "general")},
    "etl-sync": {"POST": Rule(A, "general")},
    "etl-job-detail": {"GET": Rule(A, "general")},
    "products-search": {"GET": Rule(S, "general")},  # issue 16: search on the synced index
    # platform
    "audit-logs": {"GET": Rule(A, "general")},
    # without credentials the schema is its sign-in part only (core.api.views.SchemaView)
    "schema": {"GET": Rule(S, None)},
    # the Swagger UI page and script hold no data: a manager with only a token opens it
    "docs": {"GET": Rule(ANONYMOUS, None)},
}


def rule_for(url_name: str | None, method: str) -> Rule | None:
    """The rule for a route and method; HEAD/OPTIONS follow GET. ``None`` means refused."""
    if not url_name:
        return None
    rules = POLICY.get(url_name)
    if not rules:
        return None
    method = method.upper()
    if method in {"HEAD", "OPTIONS"}:
        method = "GET" if "GET" in rules else next(iter(rules))
    return rules.get(method)


def cache_seconds(url_name: str, method: str = "GET") -> int:
    """How long a result of this route may be served from the cache (API.md "Caching").

    The access table is the only source: a route read through the cache must have its time
    there, so a missing entry is a configuration error, not a silent default."""
    rule = rule_for(url_name, method)
    if rule is None or not rule.cache_seconds:
        raise ImproperlyConfigured(f"accounts/policy.py: no cache time for {method} {url_name}")
    return rule.cache_seconds
