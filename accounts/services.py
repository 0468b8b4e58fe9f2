"""Writes of the accounts app: logins and tokens, roles → groups and permissions, demo users.

Token rules (API.md "Who is calling"): short access tokens, rotating refresh tokens. Every
refresh token carries a ``fam`` claim (the jti of the login that started the chain); rotation
keeps it. Logout revokes the whole chain, so a refresh token that was already rotated out can
still be revoked, and presenting a rotated-out token again (a sign it was stolen) revokes the
chain too.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from core.errors import ApiError, ErrorCode

from . import login_guard
from .audit import audit_log
from .authentication import InvalidCredentials
from .models import AuditLog, User
from .principal import principal_from_user
from .roles import Role
from .sealing import keyed_hash

logger = logging.getLogger(__name__)

FAMILY_CLAIM = "fam"

# role → group name; ADMIN's group also carries the two sensitive-data permissions.
ROLE_GROUPS: dict[str, str] = {Role.STAFF: "직원", Role.MANAGER: "매니저", Role.ADMIN: "관리자"}
ADMIN_PERMISSIONS = ("view_health_info", "view_unmasked_pii")


class AccountLocked(ApiError):
    """Too many failed logins (django-axes); ``Retry-After`` says when to try again."""

    status_code = 403
    code = ErrorCode.ACCOUNT_LOCKED


class BadCredentials(ApiError):
    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS


def _lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _token_bundle(refresh: RefreshToken, user: User) -> dict:
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        "user": {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": str(user),
            "role": principal_from_user(user).role,
        },
    }


def _audit_login_failed(
    *, request: HttpRequest, username: str, status: int, locked: bool, slowed: bool = False
) -> None:
    """The ``login_failed`` row. What was typed stays in clear only when it is an existing
    account's name; anything else (people type passwords into the username box) is kept as a
    keyed hash (accounts/sealing.py), which still groups repeated attempts."""
    typed = username.strip()[:150]
    known = bool(typed) and User.objects.filter(username=typed).exists()
    query: dict = {"username_hash": keyed_hash(typed.lower()), "known_user": known, "locked": locked}
    if known:
        query["username"] = typed
    if slowed:
        query["slowed_down"] = True
    audit_log(
        action=AuditLog.Action.LOGIN_FAILED,
        request=request,
        actor_name=typed if known else "anonymous",
        actor_type="anonymous",
        query=query,
        status_code=status,
    )


def auth_token_obtain(*, request: HttpRequest, username: str, password: str) -> dict:
    """Log in with username and password: tokens, or ``BadCredentials`` / ``AccountLocked``.

    ``request`` is the Django request (django-axes needs it to count failures and lock the
    account). Writes a ``login`` or ``login_failed`` audit row either way.
    """
    from axes.handlers.proxy import AxesProxyHandler

    pair_locked = AxesProxyHandler.is_locked(request, {"username": username})
    wait = 0 if pair_locked else login_guard.slowdown_wait(username)
    if wait:
        _audit_login_failed(request=request, username=username, status=429, locked=False, slowed=True)
        slowed = ApiError(
            ErrorCode.RATE_LIMIT_EXCEEDED,
            "로그인 실패가 반복된 계정입니다. 잠시 후 다시 시도하세요",
            status=429,
            details={"retry_after": wait},
        )
        slowed.headers = {"Retry-After": str(wait)}
        raise slowed
    user = authenticate(request=request, username=username, password=password)
    locked = bool(getattr(request, "axes_locked_out", False))
    if user is None or locked:
        # The AxesMiddleware would replace our answer with its own lock-out response when it
        # sees this flag; the envelope below already says the same thing.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        status = 403 if locked else 401
        _audit_login_failed(request=request, username=username, status=status, locked=locked)
        if not locked:
            login_guard.record_failure(username=username, request=request)
        if locked:
            locked_error = AccountLocked(details={"retry_after": _lockout_seconds()})
            locked_error.headers = {"Retry-After": str(_lockout_seconds())}
            raise locked_error
        raise BadCredentials()
    login_guard.record_success(username)
    # Sends the signal `login()` would: resets axes' failure count, updates last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = refresh[jwt_settings.JTI_CLAIM]
    OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM]).update(token=str(refresh))
    audit_log(action=AuditLog.Action.LOGIN, request=request, principal=principal_from_user(user), status_code=200)
    return _token_bundle(refresh, user)


def _decode_refresh(raw: str) -> dict:
    """Signature, expiry and type of a refresh token (not the blacklist)."""
    from rest_framework_simplejwt.state import token_backend

    try:
        payload = token_backend.decode(raw, verify=True)
    except (TokenBackendError, TokenError) as exc:
        raise InvalidCredentials() from exc
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or not payload.get(jwt_settings.JTI_CLAIM):
        raise InvalidCredentials()
    return payload


def _revoke_family(*, user_id: object, family: str | None, jti: str) -> int:
    """Blacklist every outstanding, unexpired refresh token of the chain ``family``."""
    from rest_framework_simplejwt.state import token_backend

    now = timezone.now()
    candidates = OutstandingToken.objects.filter(expires_at__gt=now).exclude(blacklistedtoken__isnull=False)
    candidates = candidates.filter(user_id=user_id) if user_id else candidates.filter(jti=jti)
    revoked = 0
    for outstanding in candidates:
        try:
            claims = token_backend.decode(outstanding.token, verify=False)
        except (TokenBackendError, TokenError):
            continue
        if outstanding.jti == jti or (family and claims.get(FAMILY_CLAIM) == family):
            BlacklistedToken.objects.get_or_create(token=outstanding)
            revoked += 1
    return revoked


def auth_token_refresh(*, raw: str) -> dict:
    """Rotate a refresh token: a new pair; the presented token is blacklisted. Presenting a
    token that is already blacklisted revokes its whole chain (token theft)."""
    payload = _decode_refresh(raw)
    jti = payload[jwt_settings.JTI_CLAIM]
    user_id = payload.get(jwt_settings.USER_ID_CLAIM)
    reused = False
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
        if outstanding is None:
            raise InvalidCredentials()
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            reused = True
            _revoke_family(user_id=user_id, family=payload.get(FAMILY_CLAIM), jti=jti)
        else:
            user = User.objects.filter(pk=user_id).first()
            if user is None or not user.is_active:
                raise InvalidCredentials()
            refresh = RefreshToken(raw)  # keeps custom claims (fam); checked before blacklisting
            BlacklistedToken.objects.create(token=outstanding)
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh.outstand()
    if reused:
        logger.warning("rotated-out refresh token presented again; chain revoked (user %s)", user_id)
        raise InvalidCredentials()
    return _token_bundle(refresh, user)


def auth_logout(*, raw: str) -> int:
    """Revoke a refresh token and every token rotated from the same login. Returns how many
    tokens were newly revoked (0 when they already were)."""
    payload = _decode_refresh(raw)
    with transaction.atomic():
        return _revoke_family(
            user_id=payload.get(jwt_settings.USER_ID_CLAIM),
            family=payload.get(FAMILY_CLAIM),
            jti=payload[jwt_settings.JTI_CLAIM],
        )


# --- roles → groups and permissions ----------------------------------------------------------


def role_permissions(role: str) -> list[Permission]:
    """The model permissions of a role's group: the table named by ``ROLE_GROUP_PERMISSIONS``
    (``{"STAFF": ["app.codename", …], "ADMIN": "__all__"}``, kept beside the models it covers),
    plus the two sensitive-data permissions for ADMIN."""
    spec: list[str] | str = []
    path = getattr(settings, "ROLE_GROUP_PERMISSIONS", None)
    if path:
        try:
            spec = import_string(path).get(role, [])
        except ImportError:
            logger.warning("ROLE_GROUP_PERMISSIONS %s cannot be imported", path)
    if spec == "__all__":
        return list(Permission.objects.all())
    wanted = {tuple(code.split(".", 1)) for code in spec if "." in code}
    if role == Role.ADMIN:
        wanted |= {("accounts", codename) for codename in ADMIN_PERMISSIONS}
    if not wanted:
        return []
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    perms = list(Permission.objects.filter(query).select_related("content_type"))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in perms}
    if missing:
        logger.warning("role %s: unknown permissions %s", role, sorted(".".join(m) for m in missing))
    return perms


def role_groups_ensure() -> dict[str, Group]:
    """Create the three role groups and set their permissions from the role table
    (idempotent; runs after every ``migrate`` and on each user sync)."""
    groups = {}
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(role))
        groups[role] = group
    return groups


def user_sync_role_groups(*, user: User, groups: dict[str, Group] | None = None) -> None:
    """Put ``user`` in the group of its role and out of the other role groups."""
    groups = groups or {role: Group.objects.get_or_create(name=name)[0] for role, name in ROLE_GROUPS.items()}
    others = [g for role, g in groups.items() if role != user.role]
    user.groups.remove(*others)
    if user.role in groups:
        user.groups.add(groups[user.role])


DEMO_USERS = (
    ("admin", Role.ADMIN, "관리자(데모)", True),
    ("manager", Role.MANAGER, "매니저(데모)", False),
    ("staff", Role.STAFF, "직원(데모)", False),
)


def demo_users_ensure(*, password: str | None = None) -> list[tuple[User, bool]]:
    """Create or reset the demo users ``admin``/``manager``/``staff`` (idempotent).
    Returns ``[(user, created)]``."""
    password = password or os.environ.get("DEMO_PASSWORD") or "demo1234!"
    out = []
    with transaction.atomic():
        for username, role, display_name, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.role = role
            user.display_name = display_name
            user.is_staff = True
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            user_sync_role_groups(user=user)
            out.append((user, created))
    return out


# --- audit retention ------------------------------------------------------------------------

PRUNE_BATCH = 5000


# accounts_auditlog_prune() (migration accounts 0005) refuses younger cutoffs
DB_MIN_RETENTION_DAYS = 730


def audit_prune(*, older_than_days: int | None = None, actor_name: str = "prune_audit_logs") -> int:
    """Delete audit rows older than the retention period (``AUDIT_RETENTION_DAYS``, two years
    by default) and record the prune itself as an audit row. The only path that deletes audit
    rows: on PostgreSQL the table's trigger refuses every delete but those of the
    ``accounts_auditlog_prune`` function, which keeps at least two years."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("보존 기간은 1일 이상이어야 합니다")
    if connection.vendor == "postgresql" and days < DB_MIN_RETENTION_DAYS:
        raise ValueError(f"감사 로그는 최소 {DB_MIN_RETENTION_DAYS}일 보존합니다 (데이터베이스가 더 짧은 삭제를 거부)")
    cutoff = timezone.now() - timezone.timedelta(days=days)
    table = AuditLog._meta.db_table
    deleted = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            while True:
                # Batches keep each statement short on a large table. On PostgreSQL only the
                # SECURITY DEFINER function may delete (migration accounts 0005), and it
                # refuses rows younger than two years whatever the caller asks.
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT accounts_auditlog_prune(%s, %s)", [cutoff, PRUNE_BATCH])
                    count = cursor.fetchone()[0]
                else:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE created_at < %s LIMIT %s)",  # noqa: S608 - table name from the model
                        [cutoff, PRUNE_BATCH],
                    )
                    count = cursor.rowcount
                if count <= 0:
                    break
                deleted += count
        audit_log(
            action=AuditLog.Action.PRUNE,
            actor_name=actor_name,
            query={"older_than_days": days, "cutoff": cutoff.isoformat(), "deleted": deleted},
        )
    return deleted
