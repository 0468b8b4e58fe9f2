"""Re-install the shop rollup triggers for the current TIME_ZONE and rebuild the rollups from
the orders (after a bulk load with triggers disabled, or a time-zone change)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from analytics.shop.rollup_sql import rollups_install


class Command(BaseCommand):
    help = "샵 집계 테이블(트리거)을 다시 설치하고 주문 데이터로 재구성합니다 (PostgreSQL)."

    def handle(self, *args: object, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL에서만 사용합니다 (SQLite는 주문에서 직접 집계합니다)")
        started = time.perf_counter()
        with transaction.atomic():
            rollups_install(time_zone=settings.TIME_ZONE)
        self.stdout.write(
            self.style.SUCCESS(f"재구성 완료 ({settings.TIME_ZONE}, {time.perf_counter() - started:.1f}초)")
        )
