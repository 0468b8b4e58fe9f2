"""The data-access permissions come from the user or a group, in one query, and ADMIN needs none."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.principal import principal_from_user


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="accounts", codename=codename)


@pytest.mark.django_db
def test_permissions_from_user_and_group_in_one_query(make_user, django_assert_num_queries):
    user = make_user("STAFF", username="nurse")
    user.user_permissions.add(_perm("view_health_info"))
    group = Group.objects.create(name="열람 허용")
    group.permissions.add(_perm("view_unmasked_pii"))
    user.groups.add(group)
    with django_assert_num_queries(1):
        principal = principal_from_user(user)
    assert principal.can_view_health and principal.can_view_unmasked


@pytest.mark.django_db
def test_staff_without_grants_sees_masked_and_no_health(make_user):
    principal = principal_from_user(make_user("MANAGER", username="plain"))
    assert not principal.can_view_health and not principal.can_view_unmasked


@pytest.mark.django_db
def test_admin_role_needs_no_query(make_user, django_assert_num_queries):
    admin = make_user("ADMIN", username="boss")
    with django_assert_num_queries(0):
        principal = principal_from_user(admin)
    assert principal.can_view_health and principal.can_view_unmasked
