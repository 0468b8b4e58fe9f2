"""``python manage.py analyze_database``: refresh the planner's statistics (after a restore)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from core.db import database_analyze, database_vacuum_analyze


class Command(BaseCommand):
    help = "데이터베이스 통계를 갱신합니다 (ANALYZE). 덤프 복원 등 대량 적재 뒤에 실행하세요."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--vacuum",
            nargs="*",
            metavar="TABLE",
            help="PostgreSQL: VACUUM (ANALYZE) 로 가시성 맵도 만듭니다 (인덱스 전용 스캔; 복원 뒤 권장). "
            "테이블을 주면 그 테이블만",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        if options["vacuum"] is not None:
            database_vacuum_analyze(tables=options["vacuum"])
        else:
            database_analyze()
        self.stdout.write(self.style.SUCCESS(f"통계 갱신 완료 ({time.perf_counter() - started:.1f}초)"))
