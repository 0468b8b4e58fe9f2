"""``python manage.py generate_transactions OUT.csv --lines N`` — a synthetic order-line log in
the "Online Retail" layout, for measuring ``import_transactions`` (docs/data.md)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandParser

WORDS = ["WHITE", "HEART", "LANTERN", "KIMCHI", "RED", "TEA", "SET", "JAR", "BOX", "VINTAGE", "MUG", "BAG", "CANDLE"]


class Command(BaseCommand):
    help = "import_transactions 성능 측정용 합성 주문 라인 CSV를 만듭니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="출력 CSV 경로")
        parser.add_argument("--lines", type=int, default=500_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = np.random.default_rng(options["seed"])
        n = options["lines"]
        n_invoices = max(1, n // 20)
        sizes = rng.multinomial(n - n_invoices, np.full(n_invoices, 1 / n_invoices)) + 1
        invoice_no = np.repeat(np.arange(536365, 536365 + n_invoices), sizes)
        cancelled = np.repeat(rng.random(n_invoices) < 0.02, sizes)
        stock_pool = np.array(
            [f"{c}{s}" for c, s in zip(rng.integers(10000, 99999, 4000), rng.choice(["", "A", "B"], 4000), strict=True)]
        )
        desc_pool = np.array([" ".join(rng.choice(WORDS, 3)) for _ in range(4000)])
        price_pool = np.round(rng.lognormal(1.0, 0.8, 4000), 2)
        product = rng.integers(0, 4000, n)
        customers = rng.integers(12346, 18287, n_invoices)
        customer = np.repeat(customers, sizes).astype(str)
        as_float = np.repeat(rng.random(n_invoices) < 0.5, sizes)
        customer = np.where(as_float, np.char.add(customer, ".0"), customer)
        customer = np.where(np.repeat(rng.random(n_invoices) < 0.2, sizes), "", customer)
        qty = rng.integers(1, 25, n) * np.where(cancelled, -1, 1)
        price = price_pool[product] * np.where(rng.random(n) < 0.001, -1, 1)
        minutes = np.repeat(np.sort(rng.integers(0, 365 * 24 * 60, n_invoices)), sizes)
        when = pd.Timestamp("2010-12-01 08:00") + pd.to_timedelta(minutes, unit="min")
        frame = pd.DataFrame(
            {
                "InvoiceNo": np.where(cancelled, np.char.add("C", invoice_no.astype(str)), invoice_no.astype(str)),
                "StockCode": stock_pool[product],
                "Description": desc_pool[product],
                "Quantity": qty,
                "InvoiceDate": when.strftime("%m/%d/%Y %H:%M"),
                "UnitPrice": price,
                "CustomerID": customer,
                "Country": rng.choice(
                    ["United Kingdom", "Germany", "France", "South Korea"], n, p=[0.85, 0.05, 0.05, 0.05]
                ),
            }
        )
        frame.to_csv(options["out"], index=False)
        self.stdout.write(f"{n:,}줄, 송장 {n_invoices:,}건 → {options['out']}")
