"""A synthetic order-line log in the "Online Retail" layout *with* buyer structure, for
measuring product recommendations where ``generate_transactions`` (random buyers × random
products) and the demo generator (product choice independent of the buyer) have none.

What it imitates of a real gift/grocery retail log: a few thousand products, sparse baskets
of many lines, heavy-tailed buyer activity, tastes (each buyer leans to a few product
"themes"), many repeat purchases of the same products, a seasonal block of products that
sells in the last quarter, new products appearing during the year, prices in GBP.
Not tuned to the recommender: the knobs below were set once from the shape of public
retail logs (UCI Online Retail: ~4,000 products, ~4,300 customers, ~20 lines per invoice).

    python bench/retail_log.py OUT.csv --customers 3000 --products 3000 --seed 1
    python manage.py import_transactions OUT.csv --currency GBP --timezone Europe/London
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

WORDS = [
    "HEART",
    "LANTERN",
    "TEA",
    "MUG",
    "BAG",
    "CANDLE",
    "JAR",
    "BOX",
    "VINTAGE",
    "GARDEN",
    "KITCHEN",
    "CHRISTMAS",
    "RETRO",
    "PAPER",
    "GLASS",
    "WOODEN",
    "METAL",
    "SIGN",
    "CARD",
    "FRAME",
    "CUSHION",
    "CLOCK",
    "BOTTLE",
    "TIN",
    "PARTY",
    "BIRD",
    "STAR",
    "FLOWER",
    "LACE",
    "RIBBON",
    "BELL",
    "SPOON",
    "PLATE",
    "BOWL",
    "NAPKIN",
    "LIGHT",
    "HOLDER",
    "CAKE",
    "BUNTING",
    "DOLL",
    "TOY",
    "PENCIL",
    "NOTEBOOK",
    "WRAP",
    "STICKER",
    "CHARM",
    "HOOK",
]
COLOURS = ["WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "BLACK", "GOLD", "SILVER"]


def generate(*, customers: int, products: int, themes: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    theme_words = [rng.choice(WORDS, 3, replace=False) for _ in range(themes)]
    p_theme = rng.integers(0, themes, products)
    p_pop = rng.zipf(1.6, products).clip(1, 300).astype(float)
    p_season = rng.random(products) < 0.15  # sells mostly in Oct–Dec
    p_birth = np.where(rng.random(products) < 0.25, rng.integers(0, 330, products), 0)  # day of listing
    names = [
        f"{rng.choice(COLOURS)} {rng.choice(theme_words[t])} {rng.choice(WORDS)} {rng.choice(theme_words[t])}"
        for t in p_theme
    ]
    price = np.round(rng.lognormal(1.0, 0.8, products), 2)
    by_theme = [np.nonzero(p_theme == t)[0] for t in range(themes)]

    c_themes = [rng.choice(themes, size=rng.integers(1, 4), replace=False) for _ in range(customers)]
    c_rate = rng.lognormal(0.0, 1.1, customers)  # invoices per year ~ heavy tailed
    c_rate = 1 + c_rate / c_rate.mean() * 5
    c_start = rng.integers(0, 300, customers)
    rows = []
    invoice = 536365
    for c in range(customers):
        n_inv = max(1, rng.poisson(c_rate[c]))
        days = np.sort(rng.integers(c_start[c], 365, n_inv))
        owned: list[int] = []
        for day in days:
            invoice += 1
            month = 12 if day >= 334 else 1 + int(day // 30.5)
            seasonal = 3.0 if month >= 10 else 0.3
            n_lines = 1 + rng.poisson(9)
            basket: set[int] = set()
            for _ in range(n_lines):
                if owned and rng.random() < 0.45:  # buys again what they bought before
                    basket.add(int(rng.choice(owned)))
                    continue
                t = int(rng.choice(c_themes[c])) if rng.random() < 0.75 else int(rng.integers(themes))
                pool = by_theme[t]
                pool = pool[p_birth[pool] <= day]
                if not len(pool):
                    continue
                w = p_pop[pool] * np.where(p_season[pool], seasonal, 1.0)
                basket.add(int(rng.choice(pool, p=w / w.sum())))
            for p in basket:
                owned.append(p)
                qty = int(rng.choice([1, 2, 3, 4, 6, 12, 24], p=[0.3, 0.15, 0.1, 0.1, 0.15, 0.15, 0.05]))
                when = pd.Timestamp("2010-12-01 08:00") + pd.Timedelta(days=int(day), minutes=int(rng.integers(0, 600)))
                rows.append(
                    (str(invoice), f"{85000 + p}", names[p], qty, when, price[p], f"{12346 + c}", "United Kingdom")
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ],
    )
    frame["InvoiceDate"] = frame["InvoiceDate"].dt.strftime("%m/%d/%Y %H:%M")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--products", type=int, default=3000)
    parser.add_argument("--themes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    frame = generate(customers=args.customers, products=args.products, themes=args.themes, seed=args.seed)
    frame.to_csv(args.out, index=False)
    print(f"{len(frame):,} lines, {frame['InvoiceNo'].nunique():,} invoices -> {args.out}")


if __name__ == "__main__":
    main()
