"""PostgreSQL only: the audit table resists the application's own database role.

Before: the guard trigger let any DELETE through once the transaction ran
``SET LOCAL wellness.audit_prune = 'on'``, which the application role can do, and TRUNCATE was
not guarded at all. Now:

- DELETE passes the trigger only when ``current_user`` is ``wellness_audit_pruner`` (a NOLOGIN
  role), i.e. inside ``accounts_auditlog_prune(cutoff, batch)``, a SECURITY DEFINER function
  owned by that role which refuses a cutoff younger than 730 days (two years, API.md);
- UPDATE is refused for everyone, TRUNCATE too (a statement trigger);
- the GUC no longer opens anything.

Creating the role needs CREATEROLE (or a DBA runs ``CREATE ROLE wellness_audit_pruner NOLOGIN``
first and makes the migrating user a member). What a table *owner* or superuser can still do
(disable or drop triggers) is closed by serving the app with a role that does not own the
tables: docs/configuration.md "감사 로그 보호".
"""

from django.db import migrations

ROLE = "wellness_audit_pruner"

SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
        CREATE ROLE {ROLE} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created at the same moment by a parallel migration (test databases)
END
$$;
GRANT SELECT, DELETE ON accounts_auditlog TO {ROLE};

CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_user = '{ROLE}' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'accounts_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounts_auditlog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditlog is append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditlog_no_truncate ON accounts_auditlog;
CREATE TRIGGER accounts_auditlog_no_truncate
    BEFORE TRUNCATE ON accounts_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditlog_no_truncate();

CREATE OR REPLACE FUNCTION accounts_auditlog_prune(cutoff timestamptz, batch integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    deleted integer;
BEGIN
    -- clock time (not the transaction's start), with a few minutes for the caller's clock
    IF cutoff > clock_timestamp() - interval '730 days' + interval '5 minutes' THEN
        RAISE EXCEPTION 'audit rows are kept at least 730 days (cutoff % refused)', cutoff
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM public.accounts_auditlog
     WHERE id IN (SELECT id FROM public.accounts_auditlog WHERE created_at < cutoff LIMIT batch);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
ALTER FUNCTION accounts_auditlog_prune(timestamptz, integer) OWNER TO {ROLE};
REVOKE ALL ON FUNCTION accounts_auditlog_prune(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts_auditlog_prune(timestamptz, integer) TO CURRENT_USER;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS accounts_auditlog_no_truncate ON accounts_auditlog;
DROP FUNCTION IF EXISTS accounts_auditlog_no_truncate();
DROP FUNCTION IF EXISTS accounts_auditlog_prune(timestamptz, integer);
CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('wellness.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'accounts_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_alert_action")]

    operations = [migrations.RunPython(forwards, backwards)]
