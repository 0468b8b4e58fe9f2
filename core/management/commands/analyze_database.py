"""``python manage.py analyze_database``: refresh the planner's statistics (after a restore)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from core.db import database_analyze


class Command(BaseCommand):
    help = "데이터베이스 통계를 갱신합니다 (ANALYZE). 덤프 복원 등 대량 적재 뒤에 실행하세요."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        database_analyze()
        self.stdout.write(self.style.SUCCESS(f"통계 갱신 완료 ({time.perf_counter() - started:.1f}초)"))
