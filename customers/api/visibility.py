"""The caller's view of a customer's detail: masking of its nested payloads.

The selectors return unmasked data (so one cached copy serves every role); this applies
``accounts.visibility`` to each nested dict and collects the fields actually revealed.
"""

from __future__ import annotations

from accounts.principal import Principal
from accounts.visibility import Revealed


def detail_for(data: dict, principal: Principal, seen: Revealed | None = None) -> tuple[dict, Revealed]:
    """The caller's view of ``customers.selectors.detail.customer_detail``."""
    seen = seen if seen is not None else Revealed()
    out = dict(data)
    out["customer"] = seen.person(data["customer"], principal)
    out["serviceHistory"] = [seen.health_fields(row, principal) for row in data["serviceHistory"]]
    out["preferences"] = seen.health_fields(data["preferences"], principal)
    return out, seen
