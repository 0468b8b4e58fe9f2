"""The overview above the admin's app list (``templates/admin/index.html``).

The figures come from ``reports.overview`` (cached); here they are shaped for one viewer:
customer names masked unless the viewer may see them, money only for MANAGER and above, and
the customers listed on the page written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.audit import audit_log
from accounts.masking import mask_name, mask_phone
from accounts.principal import principal_of
from reports.overview import overview_get

MONEY_LEAST_ROLE = "MANAGER"


def overview_context(request: HttpRequest) -> dict[str, Any]:
    """The template context of the overview for ``request.user``."""
    principal = principal_of(request)
    overview, hit = overview_get()
    unmasked = principal.can_view_unmasked
    expiring = [
        {
            **row,
            "customer_name": row["customer__name"] if unmasked else mask_name(row["customer__name"]),
            "customer_phone": row["customer__phone"] if unmasked else mask_phone(row["customer__phone"]),
        }
        for row in overview["expiring"]["rows"]
    ]
    if expiring:
        audit_log(
            action="list",
            request=request,
            customer_ids=[row["customer_id"] for row in expiring],
            query={"view": "admin-overview", "list": "expiring_packages"},
            fields_unmasked=["name", "phone"] if unmasked else [],
            status_code=200,
            cache_hit=hit,
        )
    show_money = principal.has_role(MONEY_LEAST_ROLE)
    return {
        "overview": overview,
        "figures": overview["figures"],
        "expiring": expiring,
        "expiring_count": overview["expiring"]["count"],
        "show_money": show_money,
        "charts": overview["charts"],
        "top_products": overview["top_products"],
        "cache_hit": hit,
    }
