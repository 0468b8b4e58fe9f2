"""``manage.py request_monthly_report [--year Y --month M] [--format pdf|xlsx]``: queue a
monthly sales report as the system (what the beat schedule does on the 1st, by hand)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.principal import Principal
from accounts.roles import Role
from core.errors import ApiError
from core.timeutils import local_today
from reports.selectors.reports import report_status
from reports.selectors.sales import shift_month
from reports.services.reports import ReportRequest, report_request


class Command(BaseCommand):
    help = "월간 매출 리포트를 만듭니다 (기본: 지난달 PDF). 작업 엔진에서 실행됩니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int)
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("--no-charts", action="store_true")
        parser.add_argument("--force", action="store_true", help="같은 리포트가 진행 중이어도 새로 만듭니다")

    def handle(self, *args: object, **options: object) -> None:
        today = local_today()
        year, month = shift_month(today.year, today.month, -1)
        year = options["year"] or year
        month = options["month"] or month
        # a system requester with MANAGER's view: customer names in the file are masked
        actor = Principal(kind="system", name="manage.py", role=Role.MANAGER)
        try:
            report, created = report_request(
                actor=actor,
                req=ReportRequest(
                    year=year,
                    month=month,
                    format=str(options["format"]),
                    include_charts=not options["no_charts"],
                    force=bool(options["force"]),
                ),
            )
        except ApiError as exc:
            raise CommandError(f"{exc.message}: {exc.details}") from exc
        report.job.refresh_from_db()
        verb = "요청했습니다" if created else "이미 진행 중입니다"
        self.stdout.write(
            f"{report.report_id} ({year}년 {month}월 {report.format}) {verb}: 상태 {report_status(report)}"
        )
        if report.job.error:
            self.stdout.write(f"오류: {report.job.error}")
