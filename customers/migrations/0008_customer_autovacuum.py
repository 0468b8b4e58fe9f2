"""Vacuum the customer table often (PostgreSQL): the searches' counts are index-only scans,
which read the table again for every page a stats refresh has touched since the last VACUUM
(the visibility map). With the default scale factor (0.2) a 100,000-row table waits for 20,000
updated rows; at 0.01 it is vacuumed after about 1,000, which takes well under a second for
the table's ~90 MB. docs/benchmarks.md ("Search counts and the visibility map")."""

from django.db import migrations

SETTINGS = "autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02"


def apply(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE customers_customer SET ({SETTINGS})")


def revert(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE customers_customer RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_voided_sessions")]

    operations = [migrations.RunPython(apply, revert, elidable=False)]
