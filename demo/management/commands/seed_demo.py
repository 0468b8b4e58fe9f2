"""``python manage.py seed_demo`` — a realistic Korean demo data set (see docs/data.md)."""

from __future__ import annotations

import datetime as dt
import resource
import time
from contextlib import ExitStack
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from commerce.models import Order
from core.cache import invalidate
from core.db import database_analyze
from customers.models import Customer, PackagePurchase
from customers.services.bulk import triggers_off
from customers.services.stats import customer_stats_refresh
from demo.center import catalog_ensure, center_generate, membership_assign, staff_ensure, status_assign
from demo.shop import shop_generate
from reports.overview import overview_refresh_enqueue

# customers, orders, sessions per customer (average)
PRESETS: dict[str, tuple[int, int, float]] = {
    "small": (300, 4000, 16),
    "medium": (5000, 60000, 18),
    "large": (100_000, 1_000_000, 20),
}


class _Stream:
    """tqdm writes partial lines; OutputWrapper would end each with a newline."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


class Command(BaseCommand):
    help = "데모 데이터(고객·세션·패키지·건강 지표·상품·주문·리뷰·브라우징)를 생성합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(PRESETS), default="small", help="규모 프리셋 (기본 small)")
        parser.add_argument("--customers", type=int, help="고객 수 (프리셋 덮어쓰기)")
        parser.add_argument("--orders", type=int, help="주문 수 (프리셋 덮어쓰기)")
        parser.add_argument("--sessions-per-customer", type=float, help="고객당 평균 세션 수")
        parser.add_argument("--staff", type=int, default=8, help="직원 계정 수 (기본 8)")
        parser.add_argument("--seed", type=int, default=42, help="난수 시드: 같은 시드와 --as-of면 같은 데이터")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="이력의 마지막 날 (YYYY-MM-DD, 기본 오늘)")
        parser.add_argument("--if-empty", action="store_true", help="고객이나 주문이 이미 있으면 아무것도 하지 않음")
        parser.add_argument(
            "--fast-load",
            action="store_true",
            help="PostgreSQL 슈퍼유저: 적재 중 트리거(외래 키 검사·집계 트리거)를 끄고 끝난 뒤 집계를 재구성",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n_customers, n_orders, spc = PRESETS[options["size"]]
        n_customers = options["customers"] if options["customers"] is not None else n_customers
        n_orders = options["orders"] if options["orders"] is not None else n_orders
        spc = options["sessions_per_customer"] if options["sessions_per_customer"] is not None else spc
        if n_customers < 1 or n_orders < 0 or spc <= 0 or options["staff"] < 1:
            raise CommandError("고객 수·직원 수는 1 이상, 주문 수는 0 이상, 세션 수는 0보다 커야 합니다")
        if options["if_empty"] and (Customer.objects.exists() or Order.objects.exists()):
            self.stdout.write("데이터가 이미 있어 건너뜁니다 (--if-empty).")
            return
        as_of = options["as_of"] or timezone.localdate()
        seed = options["seed"]
        quiet = options["verbosity"] == 0
        started = time.perf_counter()
        fake = Faker("ko_KR")
        fake.seed_instance(seed)

        with transaction.atomic(), ExitStack() as stack:
            fast = stack.enter_context(triggers_off()) if options["fast_load"] else False
            staff_ids = staff_ensure(count=options["staff"], fake=fake)
            services, packages = catalog_ensure()
            with tqdm(total=n_customers, desc="센터", unit="고객", file=_Stream(self.stdout), disable=quiet) as bar:
                center = center_generate(
                    n_customers=n_customers,
                    sessions_per_customer=spc,
                    as_of=as_of,
                    seed=seed,
                    staff_ids=staff_ids,
                    packages=packages,
                    services=services,
                    fake=fake,
                    progress=bar.update,
                )
            with tqdm(total=n_orders, desc="쇼핑몰", unit="주문", file=_Stream(self.stdout), disable=quiet) as bar:
                shop = shop_generate(
                    n_orders=n_orders,
                    as_of=as_of,
                    seed=seed,
                    customer_ids=center.customer_ids,
                    customer_created=center.customer_created,
                    overseas=center.overseas,
                    progress=bar.update,
                )
            customer_stats_refresh(customer_ids=None, invalidate_cache=False)
            first_id = int(center.customer_ids[0])
            membership_assign(first_id=first_id)
            status_assign(as_of=as_of, first_id=first_id)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"완료 ({elapsed:.1f}초, 최대 메모리 {peak_mb:.0f} MiB, seed={seed}, 기준일={as_of}): "
                f"고객 {center.customers:,}명, 패키지 구매 {center.purchases:,}건(잔여 {center.balances:,}행), "
                f"세션 {center.sessions:,}건, 건강 지표 {center.metrics:,}건, "
                f"상품 {shop.products:,}개({shop.categories}개 카테고리), 주문 {shop.orders:,}건"
                f"(항목 {shop.items:,}), 리뷰 {shop.reviews:,}건, 위시리스트 {shop.wishlists:,}건, "
                f"장바구니 이벤트 {shop.cart_events:,}건, 페이지뷰 {shop.page_views:,}건, 검색 {shop.searches:,}건"
            )
        )
        if fast:
            self._rebuild_rollups()
        elif options["fast_load"]:
            self.stdout.write(self.style.WARNING("--fast-load: 권한이 없어 트리거를 끄지 못했습니다 (일반 적재)"))
        invalidate("shop", "catalog")
        started = time.perf_counter()
        # VACUUM too: the searches' counts are index-only scans (core/db.py)
        database_analyze(vacuum_tables=[Customer._meta.db_table, PackagePurchase._meta.db_table])
        self.stdout.write(f"통계 갱신(VACUUM·ANALYZE) 완료 ({time.perf_counter() - started:.1f}초)")
        # the admin overview is computed ahead: queue its refresh now instead of leaving the new
        # figures to the first staff view (reports/overview.py; runs here without a broker)
        if overview_refresh_enqueue():
            self.stdout.write("관리자 첫 화면 통계를 새로 집계하도록 요청했습니다")

    def _rebuild_rollups(self) -> None:
        """The rollup triggers were skipped: rebuild what they maintain, through an installed
        command found by name (this app does not depend on analytics). The data are committed
        already, so a failure here is reported, not raised."""
        if "rebuild_shop_rollups" not in get_commands():
            return
        try:
            call_command("rebuild_shop_rollups", stdout=self.stdout)
        except Exception as exc:  # noqa: BLE001 - the seeded data stay valid; tell the user what to run
            self.stdout.write(
                self.style.ERROR(f"집계 재구성 실패: {exc} — 'manage.py rebuild_shop_rollups' 를 다시 실행하세요")
            )
