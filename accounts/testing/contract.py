"""The contract every customer-data endpoint keeps, as a class its tests inherit (the way NetBox's
``utilities/testing/api.py`` ``APIViewTestCases`` give each endpoint the same API tests).

A customer-data endpoint is a route under ``/api/v1/customers`` or with a customer in its path
(``customer_id``, ``user_id``). For each of its methods, one test class declares the route and
builds the data; the contract then checks, from the access table (``accounts/policy.py``):

- no credentials: 401 ``MISSING_TOKEN``, nothing written, no audit row;
- each role below the route's least role: 403 ``UNAUTHORIZED_ACCESS``, nothing written, no audit row;
- an unknown customer (routes with a customer in the path): 404 with the route's error code,
  also when the query is invalid (``invalid_query``: 400 ``VALIDATION_ERROR`` for a known one);
- each role at or above the least role: the success status and exactly one audit row, with the
  declared action, the caller, the path, the method and the customer;
- each of those roles that sees masked data (all but ADMIN): no raw name, phone or email of
  the customer anywhere in the body.

``accounts/tests/test_endpoint_contract.py`` fails when a customer-data route and method has no
contract class, so a new endpoint cannot land without these tests.

Usage (the ``center`` fixture comes from ``customers.testing.fixtures``)::

    class TestDetailContract(EndpointContract):
        url_name = "customer-detail"
        audit_action = AuditLog.Action.VIEW

        @pytest.fixture
        def subject(self, center) -> Subject:
            return Subject(customer=center["customer"], query={"history_limit": 5})

Writes declare ``method``, ``success_status`` and a body; their ``snapshot`` (the customer's row
by default) must not change on a refused call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.masking import mask_name
from accounts.models import AuditLog
from accounts.policy import POLICY
from accounts.testing.fixtures import ROLES

UNKNOWN_ID = 987654321
SEEN_MASKED = ("STAFF", "MANAGER")  # roles that see personal data masked (API.md "Personal data")


@dataclass
class Subject:
    """What one call is about: the customer whose raw data must not leak, the other URL
    arguments, the query string and the body. ``customer=None`` for a create."""

    customer: Any | None
    url_kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def roles_below(least: str | None) -> list[str]:
    """The user roles the access table refuses for ``least`` (none for anonymous routes)."""
    return [] if least is None else list(ROLES[: ROLES.index(least)])


def roles_from(least: str | None) -> list[str]:
    return list(ROLES) if least is None else list(ROLES[ROLES.index(least) :])


class EndpointContract:
    """Mixin for ``Test…`` classes: the access, audit and masking contract of one route and method."""

    url_name: ClassVar[str]
    method: ClassVar[str] = "GET"
    audit_action: ClassVar[str]
    success_status: ClassVar[int] = 200
    # the URL argument that names the customer; None for routes about many (list, search, create)
    customer_kwarg: ClassVar[str | None] = "customer_id"
    not_found_code: ClassVar[str] = "CUSTOMER_NOT_FOUND"
    # the body carries the customer's name (masked for the roles that see it masked)
    shows_name: ClassVar[bool] = False
    # a query string the route refuses (GET with a query): then an unknown customer with it is
    # still 404, and the known customer with it 400 ``VALIDATION_ERROR``, nothing audited
    invalid_query: ClassVar[dict[str, Any] | None] = None

    # -- what a test class provides -------------------------------------------------------------
    @pytest.fixture
    def subject(self) -> Subject:
        raise NotImplementedError(f"{type(self).__name__} must define the `subject` fixture")

    def snapshot(self, subject: Subject) -> object:
        """State a refused call must leave as it was: the customer's row (override to add more)."""
        if subject.customer is None:
            return type(self)._customer_count()
        model = type(subject.customer)
        row = model.objects.filter(pk=subject.customer.pk).first()
        return None if row is None else {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}

    # -- the contract ---------------------------------------------------------------------------
    @classmethod
    def least_role(cls) -> str | None:
        rule = POLICY[cls.url_name][cls.method]
        return None if rule.least_role is None else str(rule.least_role)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "url_name" not in cls.__dict__:
            return  # an intermediate base
        assert cls.method in POLICY.get(cls.url_name, {}), f"{cls.url_name} {cls.method} is not in POLICY"
        assert cls.audit_action in AuditLog.Action.values, cls.audit_action
        # the checks that apply to this route; a route with none to make does not get the test
        least = cls.least_role()
        if roles_below(least):
            cls.test_role_below_least_is_403 = EndpointContract._role_below_least_is_403
        if cls.customer_kwarg is not None:
            cls.test_unknown_customer_is_404 = EndpointContract._unknown_customer_is_404
        if cls.invalid_query is not None:
            assert cls.method == "GET", "invalid_query is a query string: declare it on GET routes"
            cls.test_invalid_query_is_400_and_unknown_customer_wins = EndpointContract._invalid_query
        if any(role in SEEN_MASKED for role in roles_from(least)):
            cls.test_body_holds_no_raw_pii = EndpointContract._body_holds_no_raw_pii

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        least = type(self).least_role()
        if "denied_role" in metafunc.fixturenames:
            metafunc.parametrize("denied_role", roles_below(least))
        if "allowed_role" in metafunc.fixturenames:
            metafunc.parametrize("allowed_role", roles_from(least))
        if "masked_role" in metafunc.fixturenames:
            metafunc.parametrize("masked_role", [r for r in roles_from(least) if r in SEEN_MASKED])

    def path(self, subject: Subject, customer_id: int | None = None) -> str:
        kwargs = dict(subject.url_kwargs)
        if self.customer_kwarg is not None:
            kwargs[self.customer_kwarg] = customer_id if customer_id is not None else subject.customer.pk
        return reverse(self.url_name, kwargs=kwargs)

    def call(self, client: APIClient, subject: Subject, customer_id: int | None = None) -> Any:
        path = self.path(subject, customer_id)
        if self.method == "GET":
            return client.get(path, subject.query)
        body = json.dumps(subject.body if subject.body is not None else {})
        return client.generic(self.method, path, data=body, content_type="application/json")

    def test_anonymous_is_401(self, subject: Subject) -> None:
        before, audit_rows = self.snapshot(subject), AuditLog.objects.count()
        response = self.call(APIClient(), subject)
        assert response.status_code == 401, response.content[:300]
        assert response.json()["error"]["code"] == "MISSING_TOKEN"
        assert self.snapshot(subject) == before
        assert AuditLog.objects.count() == audit_rows

    def _role_below_least_is_403(self, subject: Subject, api_client_for: Callable, denied_role: str) -> None:
        client = api_client_for(denied_role)
        before, audit_rows = self.snapshot(subject), AuditLog.objects.count()
        response = self.call(client, subject)
        assert response.status_code == 403, response.content[:300]
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
        assert self.snapshot(subject) == before
        assert AuditLog.objects.count() == audit_rows

    def _unknown_customer_is_404(self, subject: Subject, api_client_for: Callable) -> None:
        client = api_client_for(self.least_role())
        audit_rows = AuditLog.objects.count()
        response = self.call(client, subject, customer_id=UNKNOWN_ID)
        assert response.status_code == 404, response.content[:300]
        assert response.json()["error"]["code"] == self.not_found_code
        assert AuditLog.objects.count() == audit_rows

    def _invalid_query(self, subject: Subject, api_client_for: Callable) -> None:
        client = api_client_for(self.least_role())
        audit_rows = AuditLog.objects.count()
        bad = Subject(subject.customer, subject.url_kwargs, {**subject.query, **self.invalid_query}, subject.body)
        response = self.call(client, bad)
        assert response.status_code == 400, response.content[:300]
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        if self.customer_kwarg is not None:
            response = self.call(client, bad, customer_id=UNKNOWN_ID)
            assert response.status_code == 404, response.content[:300]
            assert response.json()["error"]["code"] == self.not_found_code
        assert AuditLog.objects.count() == audit_rows

    def test_success_writes_one_audit_row(self, subject: Subject, api_client_for: Callable, allowed_role: str) -> None:
        client = api_client_for(allowed_role)
        last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = self.call(client, subject)
        assert response.status_code == self.success_status, response.content[:500]
        assert response.json()["success"] is True
        rows = list(AuditLog.objects.filter(id__gt=last))
        assert len(rows) == 1, [(r.action, r.path) for r in rows]
        row = rows[0]
        assert (row.action, row.actor_user_id, row.role, row.method) == (
            self.audit_action,
            client.user.pk,
            allowed_role,
            self.method,
        )
        assert row.path == self.path(subject)
        customer_id = self.audited_customer_id(subject, response)
        assert customer_id in row.customer_ids, (customer_id, row.customer_ids)

    def audited_customer_id(self, subject: Subject, response: Any) -> int:
        """The customer the audit row must name (a create names the one it made)."""
        return subject.customer.pk

    def _body_holds_no_raw_pii(self, subject: Subject, api_client_for: Callable, masked_role: str) -> None:
        response = self.call(api_client_for(masked_role), subject)
        assert response.status_code == self.success_status, response.content[:500]
        body = json.dumps(response.json(), ensure_ascii=False)
        customer = subject.customer
        raw = [customer.name, customer.phone, customer.phone.replace("-", ""), customer.email]
        for value in filter(None, raw):
            assert value not in body, (masked_role, value)
        if self.shows_name:  # the customer is in the body, masked
            assert f'"{mask_name(customer.name)}"' in body, mask_name(customer.name)

    @staticmethod
    def _customer_count() -> int:
        from django.apps import apps

        return apps.get_model("customers", "Customer").objects.count()
