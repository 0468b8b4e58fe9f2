"""DRF permission classes. The least-role table lives in policy.py; this only applies it."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from .policy import rule_for
from .principal import principal_of


class RoutePolicyPermission(BasePermission):
    """Allow a request when its principal holds at least the route's least role.

    Unauthenticated callers of protected routes get 401 (``MISSING_TOKEN``) from DRF's
    ``NotAuthenticated``; authenticated callers below the least role get 403
    ``UNAUTHORIZED_ACCESS``. Routes not in the table are refused.
    """

    message = "이 작업을 수행할 권한이 없습니다"

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        rule = rule_for(getattr(match, "url_name", None), request.method)
        if rule is None:
            # A method the view does not implement at all is answered 405 by DRF (nothing is
            # run or shown); any other method missing from the table is refused.
            method = request.method.lower()
            return method not in {"head", "options"} and not hasattr(view, method)
        if rule.least_role is None:
            return True
        principal = principal_of(request)
        if not principal.is_authenticated:
            return False
        return principal.has_role(rule.least_role)


class IsStaffSessionOrToken(RoutePolicyPermission):
    """For the schema and Swagger UI, by the same table (``schema``: STAFF or higher by JWT,
    internal token or an admin session; ``docs``: anyone, the page holds no data)."""
