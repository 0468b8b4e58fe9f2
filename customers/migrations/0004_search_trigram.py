"""PostgreSQL only: pg_trgm GIN indexes so the search's ``LIKE '%term%'`` filters (name,
``UPPER(name)``/``UPPER(email)`` for icontains, and the phone without dashes/spaces) use an
index. The expressions are exactly those Django emits, or the planner would not match them.
SQLite has no GIN: there the migration does nothing."""

from django.db import migrations

TABLE = "customers_customer"
INDEXES = {
    "customer_name_trgm": "(name gin_trgm_ops)",
    "customer_upper_name_trgm": "(UPPER(name::text) gin_trgm_ops)",
    "customer_upper_email_trgm": "(UPPER(email::text) gin_trgm_ops)",
    "customer_phone_digits_trgm": "((REPLACE(REPLACE(phone::text, '-', ''), ' ', '')) gin_trgm_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin {expression}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_search_columns")]

    operations = [migrations.RunPython(forwards, backwards)]
