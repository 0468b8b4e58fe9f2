"""PostgreSQL triggers that keep the shop rollups exact (see analytics/shop/rollup_sql.py).
On SQLite this migration does nothing and the dashboard computes from the orders."""

from django.conf import settings
from django.db import migrations


def install(apps, schema_editor):
    from analytics.shop.rollup_sql import rollups_install

    rollups_install(time_zone=settings.TIME_ZONE, schema_editor=schema_editor)


def uninstall(apps, schema_editor):
    from analytics.shop.rollup_sql import rollups_uninstall

    rollups_uninstall(schema_editor=schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_shop_rollups"),
        ("commerce", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
