"""``python manage.py recompute_customer_stats`` — recompute (or check) the denormalised
customer figures (total_visits, first/last visit, total_revenue, average_satisfaction)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.models import Customer
from customers.selectors.stats import customer_stats_derived, customer_stats_stored
from customers.services.stats import customer_stats_refresh

CHECK_BATCH = 20000


class Command(BaseCommand):
    help = "고객의 파생 통계(방문 수, 첫/최근 방문일, 매출, 평균 만족도)를 다시 계산하거나 점검합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", type=int, action="append", default=[], help="고객 ID (여러 번, 없으면 전체)")
        parser.add_argument("--check", action="store_true", help="쓰지 않고 저장값과 계산값이 다른 고객만 보고")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["customer"] or None
        started = time.perf_counter()
        if options["check"]:
            all_ids = ids or list(Customer.objects.order_by("id").values_list("id", flat=True))
            drifted = []
            for start in range(0, len(all_ids), CHECK_BATCH):
                batch = all_ids[start : start + CHECK_BATCH]
                stored = customer_stats_stored(customer_ids=batch)
                derived = customer_stats_derived(customer_ids=batch)
                drifted.extend(i for i in batch if stored.get(i) != derived.get(i))
            if drifted:
                shown = ", ".join(str(i) for i in drifted[:20])
                raise CommandError(
                    f"저장값이 계산값과 다른 고객 {len(drifted):,}명: {shown}{' …' if len(drifted) > 20 else ''}"
                )
            self.stdout.write(
                self.style.SUCCESS(f"고객 {len(all_ids):,}명 모두 일치 ({time.perf_counter() - started:.1f}초)")
            )
            return
        updated = customer_stats_refresh(customer_ids=ids)
        self.stdout.write(self.style.SUCCESS(f"고객 {updated:,}명 재계산 ({time.perf_counter() - started:.1f}초)"))
