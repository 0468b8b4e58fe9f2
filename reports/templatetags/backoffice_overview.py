"""``{% backoffice_overview %}``: the overview block of the admin index (see reports.admin)."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from reports.admin import overview_context

register = template.Library()
logger = logging.getLogger(__name__)


@register.inclusion_tag("admin/reports/overview.html", takes_context=True)
def backoffice_overview(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not getattr(request.user, "is_staff", False):
        return {"hidden": True}
    try:
        return overview_context(request)
    except Exception:  # the app list below must stay usable whatever the figures do
        logger.exception("admin overview failed")
        return {"failed": True}
