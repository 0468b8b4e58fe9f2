"""A retail order-line log in the "Online Retail" layout with *known* own-price elasticities, to
check the price optimiser on data shaped like a real retailer's (docs/pricing.md "Retail log").

    .venv/bin/python bench/pricing_retail_log.py write /tmp/retail.csv /tmp/retail_truth.csv --products 1500
    .venv/bin/python manage.py import_transactions /tmp/retail.csv --currency GBP --timezone Europe/London
    .venv/bin/python manage.py estimate_price_elasticity
    .venv/bin/python bench/pricing_retail_log.py evaluate /tmp/retail_truth.csv

What makes it retail-like rather than a textbook simulation: thousands of products with a long
tail of thin sellers (Zipf popularity), prices from £0.29 to £40 (many under £1), list prices
that step every few months and short promotions, a wholesale tier (15 % of lines ask for 24–144 units;
24 or more pay 85 % of the list price: the bulk buyer's big line at a low price, which a units-weighted
average price would read as demand answering price), 20 % of lines without a customer id (the
importer rejects them), 2 % cancelled invoices, a November peak and weekday rhythm. Each
product's true elasticity is drawn from N(−1.5, 0.6²) and written to the truth file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def write(out: str, truth: str, *, products: int, days: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-11-01")
    dates = pd.date_range(start, periods=days, freq="D")
    codes = np.array(
        [
            f"{c}{s}"
            for c, s in zip(rng.integers(10000, 99999, products), rng.choice(["", "A", "B"], products), strict=True)
        ]
    )
    codes = pd.unique(codes)
    n = len(codes)
    base = np.round(np.exp(rng.normal(np.log(2.2), 0.9, n)).clip(0.29, 40), 2)
    theta = rng.normal(-1.5, 0.6, n).clip(-4, -0.1)
    popularity = rng.permutation(1 / np.arange(1, n + 1) ** 0.9) * 60  # units/day of the top seller
    # list price: a step every ~10 weeks among ±5–20 %, and 4 % of product-weeks a 20 % promotion
    weeks = days // 7 + 1
    step = np.cumsum(rng.random((weeks, n)) < 0.1, axis=0)
    levels = rng.choice([0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2], size=(step.max() + 1, n))
    mult = np.take_along_axis(levels, step, axis=0)
    mult = np.where(rng.random((weeks, n)) < 0.04, mult * 0.8, mult)
    week = np.arange(days) // 7
    season = 1 + 0.35 * np.exp(-(((dates.month.to_numpy() - 11) % 12) ** 2) / 2)  # November peak
    weekday = np.array([1.1, 1.1, 1.05, 1.15, 0.9, 0.0, 0.7])[dates.day_of_week.to_numpy()]  # no Saturday trade
    rows = []
    for d in range(days):
        if weekday[d] == 0:
            continue
        price = np.round(base * mult[week[d]], 2).clip(0.01)
        lam = popularity * season[d] * weekday[d] * (mult[week[d]]) ** theta
        units = rng.poisson(lam)
        for j in np.nonzero(units)[0]:
            left = int(units[j])
            while left > 0:
                q = min(left, int(rng.integers(24, 145)) if rng.random() < 0.15 else int(rng.integers(1, 13)))
                left -= q
                unit = round(price[j] * (0.85 if q >= 24 else 1.0), 2)  # the quantity tier
                rows.append((d, codes[j], q, unit))
    lines = pd.DataFrame(rows, columns=["d", "StockCode", "Quantity", "UnitPrice"])
    # invoices: ~12 lines each, one customer per invoice, within a day
    lines = lines.sample(frac=1, random_state=seed).sort_values("d", kind="stable").reset_index(drop=True)
    inv = lines.groupby("d").cumcount() // 12
    key = lines["d"].astype(str) + "-" + inv.astype(str)
    invoice_ids = {k: 536365 + i for i, k in enumerate(pd.unique(key))}
    lines["InvoiceNo"] = key.map(invoice_ids)
    customers = {k: int(rng.integers(12346, 18288)) for k in invoice_ids}
    lines["CustomerID"] = key.map(customers).astype(str)
    no_customer = lines["InvoiceNo"].isin([v for v in invoice_ids.values() if rng.random() < 0.2])
    lines.loc[no_customer, "CustomerID"] = ""
    cancelled = lines["InvoiceNo"].isin([v for v in invoice_ids.values() if rng.random() < 0.02])
    lines["Quantity"] = np.where(cancelled, -lines["Quantity"], lines["Quantity"])
    lines["InvoiceNo"] = np.where(cancelled, "C" + lines["InvoiceNo"].astype(str), lines["InvoiceNo"].astype(str))
    minutes = rng.integers(8 * 60, 18 * 60, len(lines))
    when = start + pd.to_timedelta(lines["d"], unit="D") + pd.to_timedelta(minutes, unit="min")
    lines["InvoiceDate"] = when.dt.strftime("%m/%d/%Y %H:%M")
    lines["Description"] = "ITEM " + lines["StockCode"]
    lines["Country"] = "United Kingdom"
    lines[
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
    ].to_csv(out, index=False)
    pd.DataFrame({"StockCode": codes, "elasticity": theta, "base_price": base}).to_csv(truth, index=False)
    print(f"{len(lines):,} lines, {len(invoice_ids):,} invoices, {n:,} products -> {out}; truth -> {truth}")


def evaluate(truth: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from commerce.models import Product
    from ml.pricing.elasticity import Z90
    from ml.pricing.estimates import stored_estimates

    model, artifact_id = stored_estimates()
    if artifact_id is None:
        raise SystemExit("no price_elasticity artifact: run estimate_price_elasticity first")
    t = pd.read_csv(truth, dtype={"StockCode": str}).set_index("StockCode")
    sku = dict(Product.objects.filter(sku__in=list(t.index)).values_list("pk", "sku"))
    rows = []
    for pid, e in model["estimates"].items():
        if pid in sku:
            rows.append((e["theta"], e["sd"], e["own_theta"], e["weight_own"], t.loc[sku[pid], "elasticity"]))
    r = pd.DataFrame(rows, columns=["est", "sd", "own", "w", "truth"])
    cover = ((r["est"] - r["truth"]).abs() <= Z90 * r["sd"]).mean()
    print(f"products in the log: {len(sku):,}; estimated: {len(r):,} ({len(r) / max(1, len(sku)):.0%})")
    print(f"true elasticity of the estimated products: mean {r['truth'].mean():.3f}")
    print(
        f"estimate (pooled): mean {r['est'].mean():.3f}, median {r['est'].median():.3f}, corr with truth {r['est'].corr(r['truth']):.3f}"
    )
    print(f"RMSE pooled {np.sqrt(((r['est'] - r['truth']) ** 2).mean()):.3f}; 90 % interval coverage {cover:.1%}")
    own = r.dropna(subset=["own"])
    print(
        f"own estimates: {len(own):,}, mean {own['own'].mean():.3f}, RMSE {np.sqrt(((own['own'] - own['truth']) ** 2).mean()):.3f}"
    )
    print(f"mean weight of the own estimate: {r['w'].mean():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out")
    w.add_argument("truth")
    w.add_argument("--products", type=int, default=1500)
    w.add_argument("--days", type=int, default=400)
    w.add_argument("--seed", type=int, default=1)
    e = sub.add_parser("evaluate")
    e.add_argument("truth")
    args = parser.parse_args()
    if args.cmd == "write":
        write(args.out, args.truth, products=args.products, days=args.days, seed=args.seed)
    else:
        evaluate(args.truth)


if __name__ == "__main__":
    main()
