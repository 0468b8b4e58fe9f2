"""``python manage.py import_transactions PATH`` — load an order-line log (see docs/data.md)."""

from __future__ import annotations

import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from accounts.principal import system_principal
from commerce.services.imports import REASONS, parse_column_options, transactions_import
from core.errors import ApiError


class _Stream:
    """tqdm writes partial lines; OutputWrapper would end each with a newline."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


class Command(BaseCommand):
    help = "주문 라인 로그(CSV·XLSX)를 고객·상품·주문·주문 항목으로 가져옵니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV 또는 XLSX 파일 경로")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="NAME=HEADER",
            help="열 이름 바꾸기, 예: --column InvoiceNo=invoice (여러 번 사용 가능)",
        )
        parser.add_argument("--timezone", default="Asia/Seoul", help="InvoiceDate의 시간대 (기본 Asia/Seoul)")
        parser.add_argument("--currency", default="KRW", help="금액의 통화 (기본 KRW)")
        parser.add_argument("--date-format", help="InvoiceDate 형식 (예: %%m/%%d/%%Y %%H:%%M), 없으면 자동 인식")
        parser.add_argument("--sheet", default=0, help="XLSX 시트 이름 또는 번호 (기본 첫 시트)")
        parser.add_argument(
            "--encoding",
            default="auto",
            help="CSV 인코딩 (기본 auto: UTF-8·UTF-8 BOM·CP949/EUC-KR 자동 인식, 예: cp949)",
        )
        parser.add_argument("--chunk-size", type=int, default=100_000, help="한 번에 읽는 줄 수")
        parser.add_argument("--dry-run", action="store_true", help="검사와 집계만 하고 저장하지 않음")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        sheet = options["sheet"]
        sheet = int(sheet) if isinstance(sheet, str) and sheet.isdigit() else sheet
        quiet = options["verbosity"] == 0
        write_bar = tqdm(desc="저장", unit="행", file=_Stream(self.stdout), disable=quiet, total=0, delay=0)

        def wrote(done: int, total: int) -> None:
            # the total grows as new customers and products are found; the bar follows it
            write_bar.total = total
            write_bar.update(done - write_bar.n)

        try:
            with tqdm(desc="읽기", unit="줄", file=_Stream(self.stdout), disable=quiet) as bar:
                report = transactions_import(
                    actor=system_principal("import_transactions"),
                    path=options["path"],
                    columns=parse_column_options(options["column"]),
                    tz=options["timezone"],
                    currency=options["currency"].upper(),
                    dry_run=options["dry_run"],
                    chunk_size=options["chunk_size"],
                    sheet=sheet,
                    encoding=options["encoding"],
                    date_format=options["date_format"],
                    progress=bar.update,
                    write_progress=wrote,
                )
        except ApiError as exc:
            raise CommandError(exc.message) from exc
        finally:
            write_bar.close()
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        head = "[시험 실행: 저장하지 않음] " if report.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{head}{report.lines:,}줄 중 {report.lines_loaded:,}줄 적재 "
                f"({elapsed:.1f}초, 최대 메모리 {peak_mb:.0f} MiB): 주문 {report.orders_created:,}건"
                f"(취소 {report.orders_cancelled:,}건), 새 고객 {report.customers_created:,}명, "
                f"새 상품 {report.products_created:,}개"
            )
        )
        if report.orders_skipped_existing:
            self.stdout.write(
                f"이미 가져온 송장 {report.orders_skipped_existing:,}건({report.lines_skipped_existing:,}줄)은 건너뜀"
            )
        if report.refused:
            self.stdout.write(self.style.WARNING(f"거부된 줄 {report.refused_total:,}줄:"))
            for reason, count in sorted(report.refused.items(), key=lambda kv: -kv[1]):
                shown = report.refused_lines.get(reason, [])
                more = " …" if count > len(shown) else ""
                numbers = ", ".join(str(n) for n in shown)
                self.stdout.write(f"  - {REASONS[reason]}: {count:,}줄 (줄 번호: {numbers}{more})")
        else:
            self.stdout.write("거부된 줄 없음")
