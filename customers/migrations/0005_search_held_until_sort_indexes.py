"""Search columns: per-service held-until dates replace the package mask; sort indexes."""

from django.conf import settings
from django.db import migrations, models


def last_visit_desc_index(apps, schema_editor):
    # the search's default order; SQLite cannot index NULLS LAST (and sorts small tables fast)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_last_visit_desc_idx "
            "ON customers_customer (last_visit_date DESC NULLS LAST, id DESC)"
        )


def drop_last_visit_desc_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_last_visit_desc_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_search_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_package_search_idx",
        ),
        migrations.RemoveField(
            model_name="customer",
            name="first_package_expiry",
        ),
        migrations.RemoveField(
            model_name="customer",
            name="package_services_mask",
        ),
        migrations.AddField(
            model_name="customer",
            name="held_until_ai_bike",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="AI 바이크 잔여 만료일"),
        ),
        migrations.AddField(
            model_name="customer",
            name="held_until_brain",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="브레인 피드백 잔여 만료일"),
        ),
        migrations.AddField(
            model_name="customer",
            name="held_until_lymph",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="림프 잔여 만료일"),
        ),
        migrations.AddField(
            model_name="customer",
            name="held_until_pulse",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="펄스 잔여 만료일"),
        ),
        migrations.AddField(
            model_name="customer",
            name="held_until_red",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="레드라이트 잔여 만료일"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="last_package_expiry",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="패키지 최종 만료일"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="used_services_mask",
            field=models.PositiveSmallIntegerField(
                db_default=0, default=0, editable=False, verbose_name="이용 서비스(비트)"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=[
                    "last_package_expiry",
                    "used_services_mask",
                    "held_until_brain",
                    "held_until_pulse",
                    "held_until_lymph",
                    "held_until_red",
                    "held_until_ai_bike",
                ],
                name="customer_package_search_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name", "id"], name="customer_name_id_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["total_visits", "id"], name="customer_visits_id_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["total_revenue", "id"], name="customer_revenue_id_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["last_visit_date", "id"], name="customer_last_visit_id_idx"),
        ),
        migrations.RunPython(last_visit_desc_index, drop_last_visit_desc_index),
    ]
