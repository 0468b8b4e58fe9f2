"""One declared read pipeline for every read endpoint (docs/architecture.md, "How to add a read
endpoint").

A read endpoint subclasses :class:`ReadView` and declares what differs; the sequence is written
once, here::

    check → validate the query → compute (through the cache) → reveal per caller → audit → respond

Declarations (class attributes):

- ``query_serializer``: validates ``request.query_params`` (the body, for :class:`BodyReadView`).
- ``output_serializer``: the shape of ``data`` in the OpenAPI schema (core/schema.py wraps it in
  the envelope). Responses are rendered from the selectors' dicts, not through it.
- ``cache_name``: the namespace in ``core.cache``; the scopes and key params come from
  ``cache_scopes``/``cache_params``; the time from the access table (``accounts.policy.cache_seconds``
  by URL name). ``None``: computed on every request.
- ``audit_action``: an ``AuditLog.Action`` for reads of customer data (one row per request,
  cache hits included, with the fields ``reveal`` showed); ``None``: no row.
- ``customer_kwarg``: the URL argument naming the customer (default scope ``customer:{id}``,
  default audited id).

Hooks (methods): ``check`` (existence checks that must answer 404 before a 400), ``check_invalid``
(the same, run only when ``check`` or validation refused the request: for endpoints whose ``compute``
finds the customer), ``query_data``,
``parse`` (or the whole ``validate``), ``compute`` (required), ``cache_scopes``, ``cache_params``,
``reveal``, ``audit_customer_ids``, ``audit_query``, ``audit``.

:class:`PagedReadView` adds the page query and the ``pagination`` block (``core.pagination``);
:class:`BodyReadView` answers a POST whose body is the question and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_log
from accounts.policy import cache_seconds
from accounts.principal import Principal, principal_of
from accounts.visibility import Revealed
from core.cache import cached_result
from core.errors import ValidationFailed
from core.pagination import PageQuerySerializer, pagination


@dataclass
class Read:
    """One request going through the pipeline: what the hooks receive."""

    request: Request
    principal: Principal
    args: dict[str, Any]  # the URL arguments
    query: Any = None  # what ``parse`` made of the validated query
    hit: bool = False  # served from the cache
    seen: Revealed = field(default_factory=Revealed)  # unmasked/health fields in the response
    extra: dict[str, Any] = field(default_factory=dict)  # what ``check`` found, for later hooks


class ReadPipeline(APIView):
    """The declarations and the pipeline; :class:`ReadView` (GET) and :class:`BodyReadView`
    (POST) answer with it."""

    query_serializer: ClassVar[type[serializers.BaseSerializer] | None] = None
    output_serializer: ClassVar[Any] = None
    cache_name: ClassVar[str | None] = None
    audit_action: ClassVar[str | None] = None
    customer_kwarg: ClassVar[str | None] = "customer_id"
    read_http_method: ClassVar[str] = "GET"  # the method documented with ``output_serializer``

    # --- the pipeline -------------------------------------------------------------------

    def read(self, request: Request, **kwargs: Any) -> Response:
        read = Read(request=request, principal=principal_of(request), args=kwargs)
        try:
            self.check(read)
            read.query = self.validate(read)
        except (serializers.ValidationError, ValidationFailed):
            self.check_invalid(read)  # a 404 it raises wins over the 400
            raise
        data = self.fetch(read)
        out = self.reveal(read, data)
        if self.audit_action:
            self.audit(read, out)
        return Response(out)

    def validate(self, read: Read) -> Any:
        if self.query_serializer is None:
            return {}
        serializer = self.query_serializer(data=self.query_data(read))
        serializer.is_valid(raise_exception=True)
        return self.parse(serializer)

    def fetch(self, read: Read) -> Any:
        if not self.cache_name:
            return self.compute(read)
        data, read.hit = cached_result(
            self.cache_name,
            scopes=self.cache_scopes(read),
            params=self.cache_params(read),
            ttl=cache_seconds(read.request.resolver_match.url_name, read.request.method),
            compute=lambda: self.compute(read),
        )
        return data

    # --- hooks ---------------------------------------------------------------------------

    def check(self, read: Read) -> None:
        """Runs first, before validation: raise here what must win over a 400 (a missing
        customer), or note in ``read.extra`` what later hooks share."""

    def check_invalid(self, read: Read) -> None:
        """Runs only when ``check`` or the query validation refused the request with a 400,
        before it is answered: where an endpoint whose ``compute`` finds the customer raises the
        404 that must win over the 400, without a lookup on every valid request."""

    def query_data(self, read: Read) -> Any:
        return read.request.query_params

    def parse(self, serializer: serializers.BaseSerializer) -> Any:
        return serializer.validated_data

    def compute(self, read: Read) -> Any:
        """The unmasked result (cached as is when ``cache_name`` is set)."""
        raise NotImplementedError

    def customer_id(self, read: Read) -> int | None:
        return read.args[self.customer_kwarg] if self.customer_kwarg else None

    def cache_scopes(self, read: Read) -> tuple[str, ...]:
        return (f"customer:{self.customer_id(read)}",)

    def cache_params(self, read: Read) -> dict:
        return {"id": self.customer_id(read), **read.query}

    def reveal(self, read: Read, data: Any) -> Any:
        """The caller's view of ``data``; record what it shows in ``read.seen``."""
        return data

    def audit_customer_ids(self, read: Read, out: Any) -> list[int]:
        return [self.customer_id(read)]

    def audit_query(self, read: Read, out: Any) -> dict | None:
        return None

    def audit(self, read: Read, out: Any) -> None:
        """One audit row for this read of customer data (cache hits included)."""
        audit_log(
            action=self.audit_action,
            request=read.request,
            customer_ids=self.audit_customer_ids(read, out),
            query=self.audit_query(read, out),
            fields_unmasked=sorted(read.seen.unmasked),
            fields_health=sorted(read.seen.health),
            status_code=200,
            cache_hit=read.hit,
        )


class ReadView(ReadPipeline):
    """Base of every read endpoint answered by GET; see the module docstring."""

    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.read(request, **kwargs)


class PagedReadView(ReadView):
    """A page of rows, newest first or as the selector orders them: ``?page=&size=``
    (``core.pagination``), answered as ``{rows_key: [...], "pagination": {...}}``. Declare
    ``rows_key`` and implement ``page_rows``."""

    query_serializer = PageQuerySerializer
    rows_key: ClassVar[str]

    def page_rows(self, read: Read, *, limit: int, offset: int) -> tuple[list, int]:
        """``(rows of this page, total)``."""
        raise NotImplementedError

    def compute(self, read: Read) -> dict:
        page, size = read.query["page"], read.query["size"]
        rows, total = self.page_rows(read, limit=size, offset=(page - 1) * size)
        return {self.rows_key: rows, "pagination": pagination(total=total, page=page, size=size)}


class BodyReadView(ReadPipeline):
    """A read whose question is a JSON body (``POST``, no side effects: an optimiser, a
    classifier); the same pipeline, with ``query_serializer`` validating the body."""

    read_http_method = "POST"

    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.read(request, **kwargs)

    def query_data(self, read: Read) -> Any:
        return read.request.data
