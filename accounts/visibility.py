"""Apply the masking and health-information rules of API.md to a caller's view of data.

Pure functions over dicts: serializers, admin, exports and reports all call these, so one
rule holds everywhere. Each returns the fields it actually revealed, for the audit row.
"""

from __future__ import annotations

from .masking import PII_FIELDS, mask_value
from .principal import Principal

# Health information (PIPA sensitive data): needs view_health_info.
HEALTH_FIELDS = ("health_goals", "healthMetrics", "session_notes", "health_interests")


def apply_pii_policy(data: dict, principal: Principal, fields: tuple[str, ...] = PII_FIELDS) -> tuple[dict, list[str]]:
    """A copy of ``data`` with PII masked unless ``principal`` may see it unmasked.
    Returns ``(data, unmasked_fields_returned)``."""
    out = dict(data)
    present = [f for f in fields if f in out and out[f] not in (None, "")]
    if principal.can_view_unmasked:
        return out, present
    for field in present:
        if isinstance(out[field], str):
            out[field] = mask_value(field, out[field])
    return out, []


def apply_health_policy(
    data: dict, principal: Principal, fields: tuple[str, ...] = HEALTH_FIELDS
) -> tuple[dict, list[str]]:
    """A copy of ``data`` with health fields set to ``None`` unless ``principal`` holds
    ``view_health_info``. The keys stay, so the response shape never changes by role.
    Returns ``(data, health_fields_returned)``."""
    out = dict(data)
    present = [f for f in fields if f in out]
    if principal.can_view_health:
        return out, [f for f in present if out[f] not in (None, "", [], {})]
    for field in present:
        out[field] = None
    return out, []


class Revealed:
    """Accumulates the unmasked PII fields and health fields a response contains (for its
    audit row): every masking call of a read goes through one of these."""

    def __init__(self) -> None:
        self.unmasked: set[str] = set()
        self.health: set[str] = set()

    def pii(self, row: dict, principal: Principal) -> dict:
        out, shown = apply_pii_policy(row, principal)
        self.unmasked.update(shown)
        return out

    def health_fields(self, row: dict, principal: Principal, fields: tuple[str, ...] = HEALTH_FIELDS) -> dict:
        out, shown = apply_health_policy(row, principal, fields)
        self.health.update(shown)
        return out

    def person(self, row: dict, principal: Principal) -> dict:
        """PII masking and health redaction of one dict."""
        return self.health_fields(self.pii(row, principal), principal)
