"""Benchmark of the monthly sales report (docs/reports.md "Speed"): time and peak memory of one
month's PDF and XLSX with charts, each made by the real job (figures → file → storage) in a
fresh process, so the peak resident memory is that of one worker making one report.

    python manage.py bench_reports --year 2026 --month 10 --json bench/results/reports.json
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from core.timeutils import local_today


def _last_complete_month() -> tuple[int, int]:
    today = local_today()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


class Command(BaseCommand):
    help = "월간 매출 리포트 벤치마크: PDF·XLSX(차트 포함) 한 달치의 생성 시간과 최대 메모리."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int)
        parser.add_argument("--formats", default="pdf,xlsx")
        parser.add_argument("--repeat", type=int, default=2, help="형식마다 몇 번 (매번 새 프로세스)")
        parser.add_argument("--no-charts", action="store_true")
        parser.add_argument("--json", help="결과를 이 파일에 JSON으로 저장")
        parser.add_argument("--child", help=argparse_hidden(), default="")

    def handle(self, *args: object, **options: object) -> None:
        year, month = _last_complete_month()
        year = options["year"] or year
        month = options["month"] or month
        charts = not options["no_charts"]
        if options["child"]:
            self._child(year, month, str(options["child"]), charts)
            return
        from commerce.models import Order

        results = {
            "year": year,
            "month": month,
            "include_charts": charts,
            "database": connection.vendor,
            "orders_total": Order.objects.count(),
            "load_average": os.getloadavg(),
            "runs": [],
        }
        for fmt in str(options["formats"]).split(","):
            for _ in range(int(options["repeat"])):
                cmd = [
                    sys.executable,
                    "manage.py",
                    "bench_reports",
                    "--year",
                    str(year),
                    "--month",
                    str(month),
                    "--child",
                    fmt,
                ]
                if not charts:
                    cmd.append("--no-charts")
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR)  # noqa: S603
                run = json.loads(out.stdout.strip().splitlines()[-1])
                results["runs"].append(run)
                self.stdout.write(
                    f"{fmt}: 전체 {run['job_seconds']:.2f}초 (수치 {run['content_seconds']:.2f}초, 파일 "
                    f"{run['render_seconds']:.2f}초; 프로세스 준비 {run['warm_up_seconds']:.2f}초 별도), 최대 메모리 {run['peak_rss_mib']:.0f} MiB, "
                    f"{run['file_kib']:.0f} KiB, {run['pages']}쪽/시트"
                )
        if options["json"]:
            Path(str(options["json"])).write_text(json.dumps(results, ensure_ascii=False, indent=2))

    def _child(self, year: int, month: int, fmt: str, charts: bool) -> None:
        """One report made by the job, in this process; prints one JSON line."""
        from config.celery import app
        from reports import jobs as report_jobs
        from reports.models import Report
        from reports.services.reports import SCHEDULE_ACTOR, ReportRequest, report_request

        app.conf.task_always_eager = True  # run the job here, at commit, like the embedded default
        from reports.render.pdf import warm_up

        started = time.perf_counter()
        warm_up()  # what a Celery worker does when its process starts (reports/tasks.py)
        warm_up_seconds = time.perf_counter() - started
        timings: dict[str, float] = {}
        original_content = report_jobs.sales_monthly_content
        original_render = report_jobs.RENDERERS[fmt]

        def timed_content(**kwargs: object) -> dict:
            started = time.perf_counter()
            try:
                return original_content(**kwargs)
            finally:
                timings["content"] = time.perf_counter() - started

        def timed_render(content: dict, **kwargs: object) -> int:
            started = time.perf_counter()
            try:
                return original_render(content, **kwargs)
            finally:
                timings["render"] = time.perf_counter() - started

        report_jobs.sales_monthly_content = timed_content
        report_jobs.RENDERERS[fmt] = timed_render
        started = time.perf_counter()
        report, _ = report_request(
            actor=SCHEDULE_ACTOR,
            req=ReportRequest(year=year, month=month, format=fmt, include_charts=charts, force=True),
        )
        elapsed = time.perf_counter() - started
        report = Report.objects.select_related("job").get(pk=report.pk)
        if report.job.status != "completed":
            raise SystemExit(f"report failed: {report.job.error}")
        line = {
            "format": fmt,
            "report_id": report.report_id,
            "warm_up_seconds": round(warm_up_seconds, 3),
            "job_seconds": round(elapsed, 3),
            "content_seconds": round(timings.get("content", 0), 3),
            "render_seconds": round(timings.get("render", 0), 3),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "file_kib": round((report.file_size or 0) / 1024, 1),
            "pages": report.job.result.get("pages"),
        }
        report.file.delete(save=False)
        Report.objects.filter(pk=report.pk).update(file="")
        self.stdout.write(json.dumps(line))


def argparse_hidden() -> str:
    return "(내부용) 이 형식 하나를 이 프로세스에서 만들고 JSON 한 줄을 출력"
