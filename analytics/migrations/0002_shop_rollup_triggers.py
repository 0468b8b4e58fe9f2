"""Superseded: the rollup triggers are installed by 0003 (which adds the category, daily-buyer
and bitmap rollups the triggers also maintain). Kept so that the migration graph is stable."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_shop_rollups"),
        ("commerce", "0001_initial"),
    ]

    operations = []
