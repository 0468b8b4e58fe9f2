"""Roles → groups → permissions, the user admin keeping them in sync, and the demo users."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.principal import principal_from_user
from accounts.roles import Role, role_at_least, role_of
from accounts.services import ROLE_GROUPS, role_groups_ensure, user_sync_role_groups

pytestmark = pytest.mark.django_db

SENSITIVE = {"view_health_info", "view_unmasked_pii"}


def codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("codename", flat=True))


def test_role_order():
    assert role_at_least(Role.ADMIN, Role.MANAGER) and role_at_least(Role.MANAGER, Role.MANAGER)
    assert not role_at_least(Role.STAFF, Role.MANAGER)
    assert not role_at_least(None, Role.STAFF) and not role_at_least("ROOT", Role.STAFF)


def test_groups_exist_after_migrate_and_only_admin_sees_sensitive_data():
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    assert set(groups) == {"직원", "매니저", "관리자"}
    assert codenames(groups["관리자"]) >= SENSITIVE
    assert not SENSITIVE & codenames(groups["직원"])
    assert not SENSITIVE & codenames(groups["매니저"])
    # back-office model permissions come from the role table (accounts.backoffice.permissions)
    assert "view_customer" in codenames(groups["직원"])
    assert "delete_customer" not in codenames(groups["매니저"])


def test_user_follows_its_role(make_user):
    extra = Group.objects.create(name="야간 근무")
    user = make_user("STAFF", username="lee")
    user.groups.add(extra)
    user_sync_role_groups(user=user)
    assert set(user.groups.values_list("name", flat=True)) == {"직원", "야간 근무"}
    user.role = Role.ADMIN
    user.save()
    user_sync_role_groups(user=user)
    assert set(user.groups.values_list("name", flat=True)) == {"관리자", "야간 근무"}
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("accounts.view_health_info")
    assert user.has_perm("accounts.view_unmasked_pii")
    user.role = Role.MANAGER
    user.save()
    user_sync_role_groups(user=user)
    user = User.objects.get(pk=user.pk)
    assert not user.has_perm("accounts.view_unmasked_pii")
    principal = principal_from_user(user)
    assert (principal.role, principal.can_view_unmasked, principal.can_view_health) == ("MANAGER", False, False)


def test_a_permission_granted_to_a_manager_unmasks(make_user):
    from django.contrib.auth.models import Permission

    user = make_user("MANAGER", username="choi")
    user.user_permissions.add(Permission.objects.get(codename="view_unmasked_pii"))
    principal = principal_from_user(User.objects.get(pk=user.pk))
    assert principal.can_view_unmasked is True
    assert principal.can_view_health is False


def test_role_groups_ensure_is_idempotent():
    first = {role: set(g.permissions.values_list("pk", flat=True)) for role, g in role_groups_ensure().items()}
    second = {role: set(g.permissions.values_list("pk", flat=True)) for role, g in role_groups_ensure().items()}
    assert first == second
    assert Group.objects.filter(name__in=ROLE_GROUPS.values()).count() == 3


def test_create_demo_users_is_idempotent_and_the_accounts_work(monkeypatch, api_client):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-pass-77!")
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    call_command("create_demo_users", stdout=out)
    text = out.getvalue()
    assert "admin" in text and "manager" in text and "staff" in text and "Demo-pass-77!" in text
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "manager", "staff"])}
    assert len(users) == 3 and User.objects.count() == 3
    assert (users["admin"].role, users["admin"].is_superuser) == ("ADMIN", True)
    assert (users["manager"].role, users["manager"].is_superuser) == ("MANAGER", False)
    assert users["staff"].role == "STAFF"
    assert all(u.is_staff for u in users.values())
    assert list(users["manager"].groups.values_list("name", flat=True)) == ["매니저"]
    for username in users:
        response = api_client.post(
            "/api/v1/auth/token", {"username": username, "password": "Demo-pass-77!"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["data"]["user"]["role"] == users[username].role
    # staff users can log into the admin
    browser = Client()
    response = browser.post("/admin/login/?next=/admin/", {"username": "staff", "password": "Demo-pass-77!"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_default_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("create_demo_users", stdout=StringIO())
    assert User.objects.get(username="manager").check_password("demo1234!")


def test_user_admin_change_keeps_role_group_in_sync(make_user):
    boss = make_user("ADMIN", username="boss", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(boss)
    target = make_user("STAFF", username="jung", is_staff=True)
    user_sync_role_groups(user=target)
    staff_group = Group.objects.get(name="직원")
    response = browser.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "username": "jung",
            "display_name": "정직원",
            "role": "MANAGER",
            "is_active": "on",
            "is_staff": "on",
            "groups": [staff_group.pk],  # the form still shows the old role group
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.role == "MANAGER"
    assert list(target.groups.values_list("name", flat=True)) == ["매니저"]


def test_user_admin_add(make_user):
    boss = make_user("ADMIN", username="boss", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(boss)
    response = browser.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "display_name": "신입",
            "role": "STAFF",
            "is_staff": "on",
            "password1": "Very-long-pass-123",
            "password2": "Very-long-pass-123",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newbie")
    assert (user.role, user.is_staff) == ("STAFF", True)
    assert list(user.groups.values_list("name", flat=True)) == ["직원"]


def test_roles_rank_by_declared_order():
    assert list(Role) == [Role.STAFF, Role.MANAGER, Role.ADMIN]
    assert [role.rank for role in Role] == [0, 1, 2]
    assert Role.MANAGER >= Role.STAFF and Role.ADMIN > Role.MANAGER and Role.STAFF < Role.ADMIN
    assert Role.MANAGER <= Role.MANAGER and not Role.STAFF >= Role.MANAGER and not Role.ADMIN < Role.STAFF
    # as strings "STAFF" > "MANAGER" > "ADMIN": the declared order is the opposite of the alphabet
    assert sorted([Role.ADMIN, Role.STAFF, Role.MANAGER]) == [Role.STAFF, Role.MANAGER, Role.ADMIN]
    assert max(Role) is Role.ADMIN


@pytest.mark.parametrize(
    "compare",
    [
        lambda: Role.STAFF >= "ADMIN",
        lambda: Role.ADMIN <= "STAFF",
        lambda: Role.ADMIN > "MANAGER",
        lambda: Role.STAFF > "ADMIN",
        lambda: Role.MANAGER <= None,
        lambda: sorted([Role.ADMIN, "STAFF"]),
    ],
)
def test_a_role_never_compares_with_a_string(compare):
    with pytest.raises(TypeError):
        compare()


def test_roles_still_equal_their_stored_strings():
    # the model field and every query keep the plain values: no migration
    assert Role.ADMIN == "ADMIN" and Role.MANAGER == "MANAGER" and Role.STAFF != "staff"
    assert {Role.ADMIN: 1}["ADMIN"] == 1
    assert Role.values == ["STAFF", "MANAGER", "ADMIN"]


def test_role_at_least_takes_a_member_as_the_least_role():
    least = "STAFF"
    with pytest.raises(TypeError, match="Role member"):
        role_at_least(Role.ADMIN, least)
    assert role_of("MANAGER") is Role.MANAGER and role_of("manager") is None and role_of(None) is None


@pytest.mark.parametrize(
    ("role", "least", "expected"),
    [
        ("STAFF", Role.STAFF, True),
        ("STAFF", Role.MANAGER, False),
        ("MANAGER", Role.STAFF, True),
        ("MANAGER", Role.ADMIN, False),
        ("ADMIN", Role.MANAGER, True),
        ("ADMIN", Role.ADMIN, True),
    ],
)
def test_a_stored_role_string_is_ranked_as_its_member(make_user, role, least, expected):
    user = User.objects.get(pk=make_user(role, username=f"u-{role.lower()}").pk)
    assert type(user.role) is str  # what the database gives back
    assert user.has_role(least) is expected
    assert principal_from_user(user).has_role(least) is expected
