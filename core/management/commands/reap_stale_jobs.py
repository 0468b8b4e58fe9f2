"""``manage.py reap_stale_jobs``: mark running jobs whose worker stopped answering as failed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.jobs import jobs_reap_stale


class Command(BaseCommand):
    help = "하트비트가 끊긴 실행 중 작업을 실패로 처리합니다 (JOB_STALE_AFTER_SECONDS 기준)."

    def handle(self, *args: object, **options: object) -> None:
        reaped = jobs_reap_stale()
        self.stdout.write(f"실패 처리한 작업: {reaped}건")
