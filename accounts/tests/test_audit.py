"""Audit: rows written, append-only (ORM, admin and, on PostgreSQL, the database), the ADMIN
endpoint with filters and paging, and pruning past the retention period."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import principal_from_user, system_principal

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit/logs"


def write(
    action: AuditLog.Action = AuditLog.Action.VIEW, *, customer_ids=(), actor: str = "etl", when=None
) -> AuditLog:
    if when is None:
        return audit_log(action=action, principal=system_principal(actor), customer_ids=customer_ids)
    with time_machine.travel(when, tick=False):
        return audit_log(action=action, principal=system_principal(actor), customer_ids=customer_ids)


def test_row_from_a_request_records_who_what_where(rf, users):
    request = rf.get(
        "/api/v1/customers/7/detail",
        HTTP_X_ACCESS_REASON="상담 준비",
        REMOTE_ADDR="10.2.3.4",
        HTTP_X_FORWARDED_FOR="1.1.1.1",
    )
    request.user = users["ADMIN"]
    request.request_id = "req-abc"
    row = audit_log(
        action=AuditLog.Action.VIEW,
        request=request,
        customer_ids=[7, 7],
        fields_unmasked=["phone", "name"],
        fields_health=["health_goals"],
        status_code=200,
        cache_hit=True,
    )
    row = AuditLog.objects.get(pk=row.pk)
    assert (row.actor_user_id, row.actor_name, row.actor_type, row.role) == (
        users["ADMIN"].pk,
        "admin-user",
        "user",
        "ADMIN",
    )
    assert row.customer_ids == [7]
    assert row.fields_unmasked == ["name", "phone"]
    assert row.fields_health == ["health_goals"]
    assert (row.path, row.method, row.status_code, row.cache_hit) == ("/api/v1/customers/7/detail", "GET", 200, True)
    assert row.ip_address == "10.2.3.4"  # the peer, never X-Forwarded-For
    assert (row.request_id, row.reason) == ("req-abc", "상담 준비")
    assert row.created_at.microsecond == 0


def test_one_insert_per_row_with_every_value_as_given(users, django_assert_num_queries):
    """The writer's precompiled INSERT (PostgreSQL) stores what ``save()`` stores; elsewhere it
    is ``save()``. One statement either way."""
    staff = principal_from_user(users["STAFF"])  # one permission query, not the writer's
    with django_assert_num_queries(1):
        row = audit_log(
            action=AuditLog.Action.SEARCH,
            principal=staff,
            customer_ids=[3, 1, 2],
            query={"q": "김*", "filters": {"membership_level": "vip"}, "page": 2},
            status_code=200,
        )
    assert row.pk is not None and not row._state.adding
    stored = AuditLog.objects.get(pk=row.pk)
    assert (stored.action, stored.actor_name, stored.role, stored.actor_user_id) == (
        "search",
        users["STAFF"].username,
        "STAFF",
        users["STAFF"].pk,
    )
    assert stored.customer_ids == [1, 2, 3]
    assert stored.query == {"q": "김*", "filters": {"membership_level": "vip"}, "page": 2}
    assert (stored.fields_unmasked, stored.fields_health, stored.ip_address, stored.cache_hit) == ([], [], None, False)
    assert stored.created_at == row.created_at
    second = audit_log(action=AuditLog.Action.VIEW, principal=staff, customer_ids=[5])
    assert second.pk > row.pk
    assert AuditLog.objects.get(pk=second.pk).customer_ids == [5]


@pytest.mark.parametrize("action", ["peek", "view", AuditLog.Action.VIEW.value, None])
def test_action_must_be_a_member(action):
    # a plain string is refused even when it spells a real action: only the enum is accepted
    with pytest.raises(TypeError, match=r"AuditLog\.Action member"):
        audit_log(action=action, principal=system_principal("x"))
    assert AuditLog.objects.count() == 0


def test_action_member_is_stored_as_its_value():
    row = audit_log(action=AuditLog.Action.LOGIN_FAILED, principal=system_principal("x"))
    row.refresh_from_db()
    assert row.action == "login_failed"
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED).count() == 1


def test_rows_cannot_be_changed_or_deleted_through_the_orm():
    row = write(customer_ids=[1])
    row.action = "delete"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).update(action="delete")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditLog.objects.bulk_update([row], ["action"])
    assert AuditLog.objects.get(pk=row.pk).action == "view"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL only")
def test_database_refuses_update_and_delete_even_in_raw_sql():
    row = write(customer_ids=[1])
    for sql in (
        "UPDATE accounts_auditlog SET action = 'delete' WHERE id = %s",
        "DELETE FROM accounts_auditlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert AuditLog.objects.get(pk=row.pk).action == "view"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL only")
def test_application_role_cannot_switch_the_guard_off_or_truncate():
    with connection.cursor() as cursor:  # (conftest switches it off only to flush test data)
        cursor.execute("ALTER TABLE accounts_auditlog ENABLE TRIGGER accounts_auditlog_no_truncate")
    row = write(customer_ids=[1])
    for statements in (
        [("SET LOCAL wellness.audit_prune = 'on'", None), ("DELETE FROM accounts_auditlog WHERE id = %s", [row.pk])],
        [("TRUNCATE accounts_auditlog", None)],
        [("UPDATE accounts_auditlog SET action = 'delete' WHERE id = %s", [row.pk])],
        # the prune function keeps two years, whatever cutoff the caller passes
        [("SELECT accounts_auditlog_prune(now(), 1000)", None)],
    ):
        with (
            pytest.raises(DatabaseError, match=r"append-only|kept at least"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            for sql, params in statements:
                cursor.execute(sql, params)
    assert AuditLog.objects.get(pk=row.pk).action == "view"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_prune_function_runs_as_its_own_role():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, p.prosecdef FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
            "WHERE p.proname = 'accounts_auditlog_prune'"
        )
        assert cursor.fetchone() == ("wellness_audit_pruner", True)


def test_deleting_a_user_keeps_their_audit_rows(users):
    user = users["STAFF"]
    user_id = user.pk
    row = audit_log(action=AuditLog.Action.VIEW, principal=principal_from_user(user), customer_ids=[3])
    user.delete()
    row = AuditLog.objects.get(pk=row.pk)
    assert (row.actor_user_id, row.actor_name) == (user_id, "staff-user")


def test_prune_removes_only_rows_past_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 730
    now = timezone.now()
    old = [write(customer_ids=[i], when=now - timedelta(days=731 + i)) for i in range(3)]
    recent = [write(customer_ids=[9], when=now - timedelta(days=729)), write(customer_ids=[10])]
    out = StringIO()
    call_command("prune_audit_logs", stdout=out)
    assert "730일보다 오래된 감사 로그 3건을 삭제했습니다." in out.getvalue()
    remaining = set(AuditLog.objects.exclude(action="prune").values_list("pk", flat=True))
    assert remaining == {r.pk for r in recent}
    assert not AuditLog.objects.filter(pk__in=[r.pk for r in old]).exists()
    prune_row = AuditLog.objects.get(action="prune")
    assert prune_row.query["deleted"] == 3
    assert prune_row.actor_type == "system"


def test_prune_with_days_argument_and_refusal_of_zero():
    from django.core.management import CommandError

    write(when=timezone.now() - timedelta(days=40))
    write()
    if connection.vendor == "postgresql":
        # the database keeps two years whatever the application asks (migration accounts 0005)
        with pytest.raises(CommandError):
            call_command("prune_audit_logs", "--days", "30", stdout=StringIO())
        assert AuditLog.objects.count() == 2
    else:
        call_command("prune_audit_logs", "--days", "30", stdout=StringIO())
        assert AuditLog.objects.exclude(action="prune").count() == 1

    with pytest.raises(CommandError):
        call_command("prune_audit_logs", "--days", "0", stdout=StringIO())


# --- the endpoint ---------------------------------------------------------------------------


@pytest.fixture
def rows(users):
    base = timezone.now().replace(hour=12) - timedelta(days=10)
    return {
        "a": write(AuditLog.Action.VIEW, customer_ids=[1, 2], actor="kim", when=base),
        "b": write(AuditLog.Action.UPDATE, customer_ids=[2], actor="lee", when=base + timedelta(days=1)),
        "c": write(AuditLog.Action.SEARCH, customer_ids=[], actor="kim", when=base + timedelta(days=2)),
        "d": write(AuditLog.Action.VIEW, customer_ids=[12], actor="park", when=base + timedelta(days=3)),
    }


@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
def test_endpoint_is_admin_only(api_client_for, rows, role):
    response = api_client_for(role).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]["logs"]]


def test_endpoint_lists_newest_first_with_paging(api_client_for, rows):
    client = api_client_for("ADMIN")
    assert ids(client.get(URL)) == [rows[k].pk for k in "dcba"]
    page = client.get(URL, {"page": 2, "size": 3}).json()["data"]
    assert [r["id"] for r in page["logs"]] == [rows["a"].pk]
    assert page["pagination"] == {"total": 4, "page": 2, "size": 3, "total_pages": 2}
    first = client.get(URL, {"size": 1}).json()["data"]["logs"][0]
    assert first["actor_name"] == "park"
    assert first["customer_ids"] == [12]
    assert set(first) >= {"created_at", "actor_type", "role", "action", "path", "ip_address", "request_id", "cache_hit"}


def test_endpoint_filters(api_client_for, rows):
    client = api_client_for("ADMIN")
    assert ids(client.get(URL, {"customer": 2})) == [rows["b"].pk, rows["a"].pk]
    assert ids(client.get(URL, {"customer": 1})) == [rows["a"].pk]  # 1 must not match 12
    assert ids(client.get(URL, {"actor": "kim"})) == [rows["c"].pk, rows["a"].pk]
    assert ids(client.get(URL, {"action": "view"})) == [rows["d"].pk, rows["a"].pk]
    day = timezone.localtime(rows["b"].created_at).date()
    assert ids(client.get(URL, {"date_from": day.isoformat(), "date_to": day.isoformat()})) == [rows["b"].pk]
    assert ids(client.get(URL, {"date_from": (day + timedelta(days=1)).isoformat()})) == [rows["d"].pk, rows["c"].pk]
    assert ids(client.get(URL, {"customer": 2, "action": "view", "actor": "kim"})) == [rows["a"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"customer": "x"}, "customer"),
        ({"action": "peek"}, "action"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"size": 1000}, "size"),
        ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, "date_to"),
    ],
)
def test_endpoint_validates_filters(api_client_for, params, field):
    response = api_client_for("ADMIN").get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]["fields"]


def test_admin_is_read_only(client, make_user, rows):
    boss = make_user("ADMIN", username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    row = rows["a"]
    assert client.get("/admin/accounts/auditlog/").status_code == 200
    assert client.get(f"/admin/accounts/auditlog/{row.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/auditlog/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditlog/{row.pk}/change/", {"action": "delete"}).status_code == 403
    assert client.post(f"/admin/accounts/auditlog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/accounts/auditlog/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert AuditLog.objects.filter(pk=row.pk).exists()
    assert AuditLog.objects.get(pk=row.pk).action == "view"
