"""Role groups (직원, 매니저, 관리자) and, on PostgreSQL,
the append-only guard of the audit table plus a GIN index for "who saw customer N"."""

from django.db import migrations

GROUPS = {"STAFF": "직원", "MANAGER": "매니저", "ADMIN": "관리자"}

# Rows may only be deleted inside a transaction that set wellness.audit_prune = 'on'
# (prune_audit_logs does, for rows past the retention period). Updates are never allowed.
GUARD_SQL = """
CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('wellness.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'accounts_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditlog_append_only ON accounts_auditlog;
CREATE TRIGGER accounts_auditlog_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditlog
    FOR EACH ROW EXECUTE FUNCTION accounts_auditlog_append_only();
CREATE INDEX IF NOT EXISTS accounts_auditlog_customer_ids_gin
    ON accounts_auditlog USING gin (customer_ids jsonb_path_ops);
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS accounts_auditlog_append_only ON accounts_auditlog;
DROP FUNCTION IF EXISTS accounts_auditlog_append_only();
DROP INDEX IF EXISTS accounts_auditlog_customer_ids_gin;
"""


def create_groups(apps, schema_editor):
    # Permissions do not exist yet while migrating; the post_migrate hook of accounts
    # (accounts/apps.py) gives the groups their permissions once every app is migrated.
    Group = apps.get_model("auth", "Group")
    groups = {role: Group.objects.get_or_create(name=name)[0] for role, name in GROUPS.items()}
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        group = groups.get(user.role)
        if group is not None:
            user.groups.add(group)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_actor_no_constraint"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
