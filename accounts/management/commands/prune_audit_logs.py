"""``manage.py prune_audit_logs [--days N]``: delete audit rows past the retention period."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import audit_prune


class Command(BaseCommand):
    help = "보존 기간(기본 AUDIT_RETENTION_DAYS=730일)이 지난 감사 로그를 삭제합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help=f"이보다 오래된 행 삭제 (기본 {settings.AUDIT_RETENTION_DAYS}일)"
        )

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        try:
            deleted = audit_prune(older_than_days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        shown = days if days is not None else settings.AUDIT_RETENTION_DAYS
        self.stdout.write(f"{shown}일보다 오래된 감사 로그 {deleted}건을 삭제했습니다.")
