"""Back-office test helpers: a logged-in admin client per role, with the group permissions of
``accounts.backoffice.permissions`` (what the role→group sync grants in production)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.test import Client

from accounts.backoffice.permissions import BACKOFFICE_PERMISSIONS


def grant_role_permissions(user: Any) -> Any:
    spec = BACKOFFICE_PERMISSIONS[user.role]
    if spec == "__all__":
        perms = Permission.objects.all()
    else:
        pairs = [code.split(".", 1) for code in spec]
        perms = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in pairs]
    user.user_permissions.set(perms)
    return user


def admin_client(make_user: Any, role: str, **extra: Any) -> Client:
    """A Django test client logged into the admin as a staff user of ``role``."""
    user = make_user(role, username=f"admin-{role.lower()}", is_staff=True, **extra)
    grant_role_permissions(user)
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client
