"""The one audit writer. Services and read endpoints call :func:`audit_log` explicitly, in the
same transaction as the write they record (API.md "Audit")."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models.sql import InsertQuery
from django.utils import timezone

from .models import AuditLog
from .network import client_ip
from .principal import Principal, principal_of

MAX_REASON = 500

# Every read of customer data writes a row, so the insert is on the hot path of every detail
# and search request. Django compiles the same INSERT for each ``save()`` (about a tenth of a
# cached detail request's CPU, docs/benchmarks.md); on PostgreSQL we compile it once per
# database with Django's own compiler and reuse the statement, with the values prepared by the
# same field methods ``save()`` uses. Other databases (the embedded SQLite) use ``save()``.
_INSERT_FIELDS = [f for f in AuditLog._meta.local_concrete_fields if not f.primary_key]
_insert_sql: dict[str, str] = {}


def _insert(row: AuditLog) -> None:
    alias = router.db_for_write(AuditLog)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        row.save()
        return
    sql = _insert_sql.get(alias)
    if sql is None:
        query = InsertQuery(AuditLog)
        query.insert_values(_INSERT_FIELDS, [row])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [AuditLog._meta.pk]
        ((sql, _params),) = compiler.as_sql()
        _insert_sql[alias] = sql
    params = [f.get_db_prep_save(f.pre_save(row, True), connection=connection) for f in _INSERT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row.pk = cursor.fetchone()[0]
    row._state.adding = False
    row._state.db = alias


def _client_ip(request: object | None) -> str | None:
    # The peer address, or what our own trusted proxies saw (accounts/network.py); never a
    # header the client can write.
    return client_ip(request)


def audit_log(
    *,
    action: AuditLog.Action,
    request: object | None = None,
    principal: Principal | None = None,
    customer_ids: Iterable[int] = (),
    query: dict | None = None,
    fields_unmasked: Iterable[str] = (),
    fields_health: Iterable[str] = (),
    status_code: int | None = None,
    cache_hit: bool = False,
    actor_name: str | None = None,
    actor_type: str | None = None,
) -> AuditLog:
    """Append one audit row.

    ``principal`` defaults to the request's caller; commands pass ``actor_name`` (shown as a
    system actor; ``actor_type="anonymous"`` for a failed login under the attempted username).
    ``query`` holds search conditions or the changed fields (already masked). ``action`` is an
    ``AuditLog.Action`` member; a plain string raises ``TypeError``.
    """
    if not isinstance(action, AuditLog.Action):
        # a TextChoices member is also a str: the test is on the enum, so "veiw" cannot slip in
        raise TypeError(f"action must be an AuditLog.Action member, not {action!r}")
    if principal is None and request is not None:
        principal = principal_of(request)
    meta = getattr(request, "META", {}) if request is not None else {}
    if principal is not None and principal.is_authenticated:
        name, kind, role = principal.name, principal.kind, principal.role or ""
        user = principal.user if principal.kind == "user" else None
    else:
        kind = actor_type or ("system" if actor_name else "anonymous")
        name, role, user = actor_name or "anonymous", "", None
    row = AuditLog(
        created_at=timezone.now().replace(microsecond=0),
        actor_user=user,
        actor_name=name[:150],
        actor_type=kind,
        role=role,
        action=action,
        customer_ids=sorted({int(c) for c in customer_ids}),
        query=query or {},
        fields_unmasked=sorted(set(fields_unmasked)),
        fields_health=sorted(set(fields_health)),
        path=(getattr(request, "path", "") or "")[:500],
        method=getattr(request, "method", "") or "",
        status_code=status_code,
        ip_address=_client_ip(request),
        request_id=(getattr(request, "request_id", None) or meta.get("REQUEST_ID", ""))[:64],
        reason=(meta.get("HTTP_X_ACCESS_REASON", "") or "")[:MAX_REASON],
        cache_hit=cache_hit,
    )
    _insert(row)
    return row
