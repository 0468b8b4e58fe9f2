"""Customer API views (seed 004 §1 and §4, plus the plain operations of API.md).

Thin: validate the input, call a selector or service, mask per caller, write the audit row.
Access rules (least role per method) come from ``accounts/policy.py`` by URL name.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuditLog
from accounts.policy import rule_for
from accounts.principal import principal_of
from accounts.search_terms import audited_search_term, search_watch
from accounts.visibility import apply_health_policy
from core.cache import cached_result
from core.idempotency import idempotent
from customers.models import ServiceSession
from customers.selectors.detail import customer_detail, customer_get, session_row, sessions_page
from customers.selectors.search import customer_search
from customers.services.customers import customer_create, customer_delete
from customers.services.profile import customer_update
from customers.services.sessions import session_record

from . import schema_docs as docs
from .serializers import (
    CustomerCreateSerializer,
    CustomerUpdateSerializer,
    DetailQuerySerializer,
    PageQuerySerializer,
    SearchQuerySerializer,
    SessionCreateSerializer,
)
from .visibility import Revealed, audit_read, detail_for

LIST_PARAMS = ("sort_by", "order", "page", "size")


def _cache_seconds(request: Request, default: int) -> int:
    match = getattr(request, "resolver_match", None)
    rule = rule_for(getattr(match, "url_name", None), "GET")
    return (rule.cache_seconds if rule and rule.cache_seconds else None) or default


class CustomerDetailView(APIView):
    """``GET/PUT/PATCH /api/v1/customers/{id}/detail``."""

    @docs.detail_get
    def get(self, request: Request, customer_id: int) -> Response:
        query = DetailQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["history_limit"]
        data, hit = cached_result(
            "customer-detail",
            scopes=(f"customer:{customer_id}",),
            params={"id": customer_id, "history_limit": limit},
            ttl=_cache_seconds(request, 300),
            compute=lambda: customer_detail(customer_id=customer_id, history_limit=limit),
        )
        out, seen = detail_for(data, principal_of(request))
        audit_read(request=request, action=AuditLog.Action.VIEW, customer_ids=[customer_id], seen=seen, cache_hit=hit)
        return Response(out)

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


class CustomerSearchView(APIView):
    """``GET /api/v1/customers/search`` (seed 004 §4.1)."""

    @docs.search_get
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.to_params()
        principal = principal_of(request)
        data = customer_search(params=params, unmasked=principal.can_view_unmasked)
        seen = Revealed()
        data["customers"] = [seen.pii(row, principal) for row in data["customers"]]
        conditions = params.filters_applied()
        if "q" in conditions:
            conditions.update(audited_search_term(conditions.pop("q")))
            search_watch(principal=principal, term=params.q, request=request)
        conditions.update(
            sort_by=params.sort_by, order="desc" if params.descending else "asc", page=params.page, size=params.size
        )
        audit_read(
            request=request,
            action=AuditLog.Action.SEARCH,
            customer_ids=[row["customer_id"] for row in data["customers"]],
            seen=seen,
            query=conditions,
        )
        return Response(data)


class CustomerSessionsView(APIView):
    """``GET /api/v1/customers/{id}/sessions`` (newest first, paged) and ``POST`` to record one."""

    @docs.sessions_get
    def get(self, request: Request, customer_id: int) -> Response:
        customer_get(customer_id=customer_id)
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, size = query.validated_data["page"], min(query.validated_data["size"], 100)
        rows, total = sessions_page(customer_id=customer_id, limit=size, offset=(page - 1) * size)
        principal = principal_of(request)
        seen = Revealed()
        rows = [seen.health_fields(row, principal) for row in rows]
        audit_read(
            request=request,
            action=AuditLog.Action.LIST,
            customer_ids=[customer_id],
            seen=seen,
            query={"page": page, "size": size},
        )
        return Response(
            {
                "sessions": rows,
                "pagination": {"total": total, "page": page, "size": size, "total_pages": (total + size - 1) // size},
            }
        )

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


class CustomerListView(APIView):
    """``GET /api/v1/customers`` (the search without filters: page, size, sort_by, order) and
    ``POST`` to register a customer (ADMIN)."""

    @docs.list_get
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data={k: v for k, v in request.query_params.items() if k in LIST_PARAMS})
        query.is_valid(raise_exception=True)
        params = query.to_params()
        data = customer_search(params=params)
        principal = principal_of(request)
        seen = Revealed()
        data["customers"] = [seen.pii(row, principal) for row in data["customers"]]
        audit_read(
            request=request,
            action=AuditLog.Action.LIST,
            customer_ids=[row["customer_id"] for row in data["customers"]],
            seen=seen,
            query={
                "sort_by": params.sort_by,
                "order": "desc" if params.descending else "asc",
                "page": params.page,
                "size": params.size,
            },
        )
        return Response(data)

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
