"""Customer API views (seed 004 §1 and §4, plus the plain operations of API.md).

Thin: validate the input, call a selector or service, mask per caller, write the audit row.
Access rules (least role per method) come from ``accounts/policy.py`` by URL name.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.read import PagedReadView, Read, ReadView
from accounts.models import AuditLog
from accounts.principal import principal_of
from accounts.search_terms import audited_search_term, search_watch
from accounts.visibility import apply_health_policy
from core.idempotency import idempotent
from customers.models import ServiceSession
from customers.selectors.detail import customer_detail, customer_get, session_row, sessions_page
from customers.selectors.search import SearchParams, customer_search
from customers.services.customers import customer_create, customer_delete
from customers.services.profile import customer_update
from customers.services.sessions import session_record

from . import schema_docs as docs
from .read import CustomerInPath
from .serializers import (
    CustomerCreateSerializer,
    CustomerDetailOutput,
    CustomerPageOutput,
    CustomerUpdateSerializer,
    DetailQuerySerializer,
    SearchQuerySerializer,
    SessionCreateSerializer,
    SessionPageOutput,
)
from .visibility import detail_for

LIST_PARAMS = ("sort_by", "order", "page", "size")


@extend_schema_view(get=docs.detail_get)  # the class also writes: document GET only
class CustomerDetailView(CustomerInPath, ReadView):
    """``GET/PUT/PATCH /api/v1/customers/{id}/detail``."""

    query_serializer = DetailQuerySerializer
    output_serializer = CustomerDetailOutput
    cache_name = "customer-detail"
    audit_action = AuditLog.Action.VIEW

    def compute(self, read: Read) -> dict:
        return customer_detail(customer_id=read.args["customer_id"], history_limit=read.query["history_limit"])

    def reveal(self, read: Read, data: dict) -> dict:
        return detail_for(data, read.principal, read.seen)[0]

    @docs.detail_update
    def put(self, request: Request, customer_id: int) -> Response:
        return self._update(request, customer_id)

    @docs.detail_update
    def patch(self, request: Request, customer_id: int) -> Response:
        return self._update(request, customer_id)

    def _update(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(customer_id=customer_id)
        body = CustomerUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        principal = principal_of(request)
        _, changed = customer_update(
            actor=principal, customer=customer, data=dict(body.validated_data), request=request
        )
        # the fresh detail straight from the database (the cache was invalidated on commit)
        data = customer_detail(customer_id=customer_id)
        out, _seen = detail_for(data, principal)
        out["changed_fields"] = changed
        return Response(out)


class _CustomerPage(ReadView):
    """A page of customer rows (PII masked per caller), audited with every id on it."""

    query_serializer = SearchQuerySerializer
    output_serializer = CustomerPageOutput
    customer_kwarg = None

    def parse(self, serializer: SearchQuerySerializer) -> SearchParams:
        return serializer.to_params()

    def compute(self, read: Read) -> dict:
        return customer_search(params=read.query, unmasked=self.unmasked_matching(read))

    def unmasked_matching(self, read: Read) -> bool:
        return False

    def reveal(self, read: Read, data: dict) -> dict:
        data["customers"] = [read.seen.pii(row, read.principal) for row in data["customers"]]
        return data

    def audit_customer_ids(self, read: Read, out: dict) -> list[int]:
        return [row["customer_id"] for row in out["customers"]]

    def ordering(self, params: SearchParams) -> dict:
        return {
            "sort_by": params.sort_by,
            "order": "desc" if params.descending else "asc",
            "page": params.page,
            "size": params.size,
        }


@docs.search_get
class CustomerSearchView(_CustomerPage):
    """``GET /api/v1/customers/search`` (seed 004 §4.1)."""

    audit_action = AuditLog.Action.SEARCH

    def unmasked_matching(self, read: Read) -> bool:
        return read.principal.can_view_unmasked

    def audit_query(self, read: Read, out: dict) -> dict:
        params = read.query
        conditions = params.filters_applied()
        if "q" in conditions:
            conditions.update(audited_search_term(conditions.pop("q")))
            search_watch(principal=read.principal, term=params.q, request=read.request)
        conditions.update(self.ordering(params))
        return conditions


@extend_schema_view(get=docs.sessions_get)  # the class also writes: document GET only
class CustomerSessionsView(PagedReadView):
    """``GET /api/v1/customers/{id}/sessions`` (newest first, paged) and ``POST`` to record one."""

    output_serializer = SessionPageOutput
    rows_key = "sessions"
    audit_action = AuditLog.Action.LIST

    def check(self, read: Read) -> None:
        customer_get(customer_id=read.args["customer_id"])

    def page_rows(self, read: Read, *, limit: int, offset: int) -> tuple[list, int]:
        return sessions_page(customer_id=read.args["customer_id"], limit=limit, offset=offset)

    def reveal(self, read: Read, data: dict) -> dict:
        return {**data, "sessions": [read.seen.health_fields(row, read.principal) for row in data["sessions"]]}

    def audit_query(self, read: Read, out: dict) -> dict:
        return {"page": read.query["page"], "size": read.query["size"]}

    @docs.sessions_post
    @idempotent
    def post(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(customer_id=customer_id)
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        principal = principal_of(request)
        if "staff" not in data and principal.kind == "user":
            data["staff"] = principal.user  # the person recording it attended the customer
        session = session_record(
            actor=principal,
            customer=customer,
            service=data["service"],
            service_date=data.get("service_date") or timezone.localdate(),
            start_time=data.get("start_time"),
            duration_minutes=data.get("duration_minutes"),
            satisfaction_rating=data.get("satisfaction_rating"),
            session_notes=data.get("session_notes", ""),
            staff=data.get("staff"),
            purchase=data.get("purchase"),
            request=request,
            redeem=data.get("redeem", True),
        )
        session = ServiceSession.objects.select_related("service", "staff", "purchase__package").get(pk=session.pk)
        row, _ = apply_health_policy(session_row(session), principal)
        return Response(row, status=201)


@extend_schema_view(get=docs.list_get)  # the class also writes: document GET only
class CustomerListView(_CustomerPage):
    """``GET /api/v1/customers`` (the search without filters: page, size, sort_by, order) and
    ``POST`` to register a customer (ADMIN)."""

    audit_action = AuditLog.Action.LIST

    def query_data(self, read: Read) -> dict:
        return {k: v for k, v in read.request.query_params.items() if k in LIST_PARAMS}

    def audit_query(self, read: Read, out: dict) -> dict:
        return self.ordering(read.query)

    @docs.list_post
    @idempotent
    def post(self, request: Request) -> Response:
        body = CustomerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        principal = principal_of(request)
        customer = customer_create(actor=principal, data=dict(body.validated_data), request=request)
        out, _seen = detail_for(customer_detail(customer_id=customer.pk), principal)
        return Response(out, status=201)


class CustomerDeleteView(APIView):
    """``DELETE /api/v1/customers/{id}`` (ADMIN): deleted, or anonymised when it has a history."""

    @docs.delete
    def delete(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(customer_id=customer_id)
        outcome = customer_delete(actor=principal_of(request), customer=customer, request=request)
        return Response({"customer_id": customer_id, "outcome": outcome})
