"""``manage.py sync_search_index --entity products [--mode full] [--target embedded]``

Runs one sync in this process (the same job, lock and cursor as ``POST /api/v1/etl/sync``)
with a progress bar, for the data team and for cron-less set-ups."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.errors import ApiError
from core.jobs import job_run
from etl.models import Entity, Mode, Target
from etl.selectors import sync_run_status
from etl.services.sync import etl_sync_start, progress_hook


class Command(BaseCommand):
    help = "검색 색인 동기화 (증분 또는 전체 재색인)를 이 프로세스에서 실행합니다"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", choices=Entity.values, default=Entity.PRODUCTS)
        parser.add_argument("--mode", choices=Mode.values, default=Mode.INCREMENTAL)
        parser.add_argument("--target", choices=Target.values, default=None, help="기본값: 설정된 대상")
        parser.add_argument("--quiet-progress", action="store_true", help="진행 막대 없이")

    def handle(self, *args: object, **options: object) -> None:
        try:
            run = etl_sync_start(
                actor=None, entity=options["entity"], mode=options["mode"], target=options["target"], send=False
            )
        except ApiError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}") from exc
        self.stdout.write(f"{run.code}: {run.entity} → {run.target} ({run.mode}), {run.records_to_sync}건")
        bar = tqdm(total=run.records_to_sync, unit="건", disable=bool(options["quiet_progress"]), file=self.stderr)
        token = progress_hook.set(bar.update)
        try:
            job_run(job_id=run.job_id)
        finally:
            progress_hook.reset(token)
            bar.close()
        status = sync_run_status(job_id=run.code)
        counts = status["counts"]
        self.stdout.write(
            f"{status['status']}: 추출 {counts['extracted']}, 색인 {counts['indexed']}, 삭제 {counts['deleted']}, "
            f"실패 {counts['failed']}, {status['duration_seconds']}초, 문서 {status['result'].get('document_count')}"
        )
        if status["status"] != "completed":
            raise CommandError(status["error"] or "동기화 실패")
