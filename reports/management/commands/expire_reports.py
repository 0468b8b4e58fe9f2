"""``manage.py expire_reports [--days N]``: delete old report files, mark the reports expired."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from reports.services.reports import reports_expire


class Command(BaseCommand):
    help = "보관 기간이 지난 리포트 파일을 지우고 리포트를 만료 처리합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="이 일수보다 오래된 리포트 (기본 REPORTS_RETENTION_DAYS)"
        )

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"] if options["days"] is not None else settings.REPORTS_RETENTION_DAYS
        if days < 0:
            self.stderr.write("--days 는 0 이상이어야 합니다")
            return
        expired = reports_expire(older_than_days=int(days))
        self.stdout.write(f"리포트 {expired:,}건의 파일을 지우고 만료 처리했습니다 (기준 {days}일).")
