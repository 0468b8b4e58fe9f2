"""Who is calling: a staff user (JWT or admin session) or an internal service (X-Internal-Token).

Everything that decides access, masking or audit asks the :class:`Principal`, never the
request's user object directly, so both kinds of caller follow the same rules.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from .roles import Role, role_at_least

PERM_HEALTH = "accounts.view_health_info"
PERM_UNMASKED = "accounts.view_unmasked_pii"
DATA_PERMS = (PERM_HEALTH, PERM_UNMASKED)


@dataclass(frozen=True)
class ServiceIdentity:
    """An internal service authenticated by X-Internal-Token. Not a database user."""

    name: str
    role: str
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.role == Role.ADMIN

    def __str__(self) -> str:
        return f"service:{self.name}"


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "service" | "anonymous"
    name: str
    role: str | None
    user: object | None = None
    perms: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def key(self) -> str:
        """Rate-limit and cache key: user id or service name, never a header."""
        if self.kind == "user":
            return f"user:{getattr(self.user, 'pk', self.name)}"
        return f"{self.kind}:{self.name}"

    def has_role(self, least: Role) -> bool:
        return role_at_least(self.role, least)

    @property
    def can_view_health(self) -> bool:
        return self.role == Role.ADMIN or PERM_HEALTH in self.perms

    @property
    def can_view_unmasked(self) -> bool:
        return self.role == Role.ADMIN or PERM_UNMASKED in self.perms


ANONYMOUS = Principal(kind="anonymous", name="anonymous", role=None)


def system_principal(name: str) -> Principal:
    """The actor of a management command or a job (audit shows it as a system actor)."""
    return Principal(kind="system", name=name, role=Role.ADMIN)


def principal_from_user(user: object | None) -> Principal:
    """Build the principal for a request's ``user`` (a User, a ServiceIdentity or nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if isinstance(user, ServiceIdentity):
        return Principal(kind="service", name=user.name, role=user.role)
    if not getattr(user, "is_active", False):
        return ANONYMOUS
    role = Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", None)
    # ADMIN holds both permissions by role; others need one query (runs on every request).
    perms = frozenset() if role == Role.ADMIN else _data_permissions(user)
    return Principal(kind="user", name=user.get_username(), role=role, user=user, perms=perms)  # type: ignore[attr-defined]


def _data_permissions(user: object) -> frozenset[str]:
    """The data-access permissions (health, unmasked PII) the user holds directly or through a
    group, in one query. ``user.has_perm`` would load every permission of the user in two
    queries on each request; only these two matter here."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    codenames = (
        Permission.objects.filter(
            content_type__app_label="accounts", codename__in=[p.split(".", 1)[1] for p in DATA_PERMS]
        )
        .filter(Q(user=user) | Q(group__user=user))
        .order_by()
        .values_list("codename", flat=True)
        .distinct()
    )
    return frozenset(f"accounts.{codename}" for codename in codenames)


def principal_of(request: object) -> Principal:
    """The principal of a Django or DRF request, memoised on the request."""
    cached = getattr(request, "_principal", None)
    if cached is not None:
        return cached
    principal = principal_from_user(getattr(request, "user", None))
    with contextlib.suppress(AttributeError):  # a request object that refuses attributes
        request._principal = principal  # type: ignore[attr-defined]
    return principal
