"""Security alerts: one ``alert`` audit row and one log warning per detected event.

Detectors (search enumeration in ``accounts/search_terms.py``, repeated failed logins in
``accounts/lockout.py``) decide *when*; this module records it the same way every time, so an
operator finds every alert with ``GET /api/v1/audit/logs?action=alert`` or in the admin's
감사 로그 filtered by 행위 = 보안 경보.
"""

from __future__ import annotations

import logging

from .audit import audit_log
from .models import AuditLog
from .principal import Principal

logger = logging.getLogger("security")


def security_alert(
    *,
    kind: str,
    details: dict,
    request: object | None = None,
    principal: Principal | None = None,
    actor_name: str | None = None,
) -> AuditLog:
    """Write the alert row (action ``alert``, ``query = {"alert": kind, **details}``) and one
    WARNING line on the ``security`` logger."""
    row = audit_log(
        action=AuditLog.Action.ALERT,
        request=request,
        principal=principal,
        query={"alert": kind, **details},
        actor_name=actor_name,
        actor_type="anonymous" if actor_name else None,
    )
    logger.warning("security alert %s by %s: %s", kind, row.actor_name, details)
    return row
