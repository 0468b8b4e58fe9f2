"""The one audit writer. Services and read endpoints call :func:`audit_log` explicitly, in the
same transaction as the write they record (API.md "Audit")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from .models import AuditLog
from .network import client_ip
from .principal import Principal, principal_of

MAX_REASON = 500


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
    row.save()
    return row
