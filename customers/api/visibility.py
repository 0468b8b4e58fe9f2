"""Masking of the customer API's nested payloads and the audit row that goes with them.

The selectors return unmasked data (so one cached copy serves every role); these helpers
apply ``accounts.visibility`` to each nested dict and collect the fields actually revealed.
The analytics and recommendations views use them too.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.audit import audit_log
from accounts.principal import Principal
from accounts.visibility import apply_health_policy, apply_pii_policy


class Revealed:
    """Accumulates the unmasked PII fields and health fields a response contains."""

    def __init__(self) -> None:
        self.unmasked: set[str] = set()
        self.health: set[str] = set()

    def pii(self, row: dict, principal: Principal) -> dict:
        out, shown = apply_pii_policy(row, principal)
        self.unmasked.update(shown)
        return out

    def health_fields(self, row: dict, principal: Principal, fields: tuple[str, ...] | None = None) -> dict:
        out, shown = (
            apply_health_policy(row, principal) if fields is None else apply_health_policy(row, principal, fields)
        )
        self.health.update(shown)
        return out

    def person(self, row: dict, principal: Principal) -> dict:
        """PII masking and health redaction of one dict."""
        return self.health_fields(self.pii(row, principal), principal)


def detail_for(data: dict, principal: Principal) -> tuple[dict, Revealed]:
    """The caller's view of ``customers.selectors.detail.customer_detail``."""
    seen = Revealed()
    out = dict(data)
    out["customer"] = seen.person(data["customer"], principal)
    out["serviceHistory"] = [seen.health_fields(row, principal) for row in data["serviceHistory"]]
    out["preferences"] = seen.health_fields(data["preferences"], principal)
    return out, seen


def audit_read(
    *,
    request: object,
    action: str,
    customer_ids: Iterable[int],
    seen: Revealed | None = None,
    cache_hit: bool = False,
    query: dict | None = None,
    status_code: int = 200,
) -> None:
    """One audit row for a read of customer data (cache hits included)."""
    audit_log(
        action=action,
        request=request,
        customer_ids=customer_ids,
        query=query,
        fields_unmasked=sorted(seen.unmasked) if seen else (),
        fields_health=sorted(seen.health) if seen else (),
        status_code=status_code,
        cache_hit=cache_hit,
    )
