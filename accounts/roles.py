"""The one ordered role scale: ADMIN > MANAGER > STAFF. Compare with ``>=``."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    STAFF = "STAFF", "직원"
    MANAGER = "MANAGER", "매니저"
    ADMIN = "ADMIN", "관리자"


_RANK = {"STAFF": 1, "MANAGER": 2, "ADMIN": 3}


def role_at_least(role: str | None, least: str) -> bool:
    """True when ``role`` is ``least`` or higher. Unknown or missing roles never pass."""
    if role not in _RANK:
        return False
    return _RANK[role] >= _RANK[str(least)]
