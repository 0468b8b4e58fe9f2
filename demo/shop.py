"""Demo data for the K-food shop (``manage.py seed_demo``).

Vectorised with numpy and loaded with :mod:`customers.services.bulk` so that a million orders
take minutes. Orders spread over two years with growth, a weekly rhythm, holiday gift peaks
(설·추석) and the kimjang season; most are in KRW, overseas buyers pay in USD; about 6 % are
cancelled. Reviews rate each product around its own quality, with Korean text matching the
rating. Carts are checked out (one per order) or abandoned; page views and searches follow
the carts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from commerce.models import (
    CartEvent,
    Category,
    Order,
    OrderItem,
    PageView,
    Product,
    Review,
    SearchQuery,
    WishlistItem,
)
from customers.services.bulk import bulk_insert, datetimes_sql, next_ids, reset_sequences

USD_PER_KRW = 1 / 1380

# category, English name, search keywords, nutrition per 100 g (kcal, sodium mg, carbs g, sugars g, protein g, fat g),
# products: (name, English name, price KRW)
CATALOG: list[tuple[str, str, list[str], tuple, list[tuple[str, str, int]]]] = [
    ("김치/반찬", "Kimchi & Side Dishes", ["김치", "포기김치", "깍두기", "반찬", "총각김치"], (32, 650, 5, 2, 2, 0.5), [
        ("포기김치 1kg", "Napa Cabbage Kimchi 1kg", 15900), ("포기김치 3kg", "Napa Cabbage Kimchi 3kg", 39900),
        ("깍두기 500g", "Radish Kimchi 500g", 8900), ("총각김치 1kg", "Ponytail Radish Kimchi 1kg", 16900),
        ("백김치 1kg", "White Kimchi 1kg", 14900), ("갓김치 500g", "Mustard Leaf Kimchi 500g", 11900),
        ("오이소박이 500g", "Stuffed Cucumber Kimchi 500g", 10900), ("멸치볶음 200g", "Stir-fried Anchovies 200g", 7900),
        ("장조림 300g", "Soy Braised Beef 300g", 12900), ("깻잎장아찌 300g", "Pickled Perilla Leaves 300g", 8500),
    ]),
    ("장류", "Sauces & Pastes", ["고추장", "된장", "쌈장", "간장", "청국장"], (210, 2900, 40, 18, 7, 2), [
        ("태양초 고추장 500g", "Sun-dried Gochujang 500g", 9900), ("재래식 된장 1kg", "Traditional Doenjang 1kg", 13900),
        ("쌈장 500g", "Ssamjang 500g", 6900), ("양조간장 900ml", "Brewed Soy Sauce 900ml", 8900),
        ("국간장 500ml", "Soup Soy Sauce 500ml", 7500), ("청국장 200g", "Cheonggukjang 200g", 5900),
        ("초고추장 300g", "Vinegar Gochujang 300g", 4900), ("순창 찹쌀고추장 1kg", "Sunchang Rice Gochujang 1kg", 17900),
    ]),
    ("라면/면류", "Ramyeon & Noodles", ["라면", "비빔면", "칼국수", "냉면", "짜파게티"], (450, 1700, 65, 4, 10, 16), [
        ("얼큰 라면 5입", "Spicy Ramyeon 5-pack", 4900), ("해물 짬뽕라면 4입", "Seafood Jjamppong Ramyeon 4-pack", 5900),
        ("비빔면 5입", "Bibim Noodles 5-pack", 4800), ("짜장라면 4입", "Jjajang Ramyeon 4-pack", 5400),
        ("불닭볶음면 5입", "Fire Chicken Noodles 5-pack", 5900), ("물냉면 2인분", "Cold Buckwheat Noodles for 2", 6900),
        ("손칼국수 3인분", "Knife-cut Noodles for 3", 7900), ("잔치국수 소면 900g", "Somyeon Noodles 900g", 3900),
    ]),
    ("과자/스낵", "Snacks", ["과자", "새우깡", "약과", "누룽지", "스낵"], (510, 480, 62, 20, 6, 26), [
        ("새우맛 스낵 90g", "Shrimp Crackers 90g", 1500), ("꿀약과 10입", "Honey Yakgwa 10-pack", 6900),
        ("누룽지칩 120g", "Scorched Rice Chips 120g", 3500), ("김부각 50g", "Seaweed Chips 50g", 4500),
        ("인절미 스낵 80g", "Injeolmi Snack 80g", 2200), ("고구마 말랭이 200g", "Dried Sweet Potato 200g", 8900),
        ("한과 선물세트", "Hangwa Gift Set", 29900), ("쌀과자 150g", "Rice Crackers 150g", 3200),
    ]),
    ("음료", "Beverages", ["식혜", "수정과", "음료", "보리차", "매실"], (45, 15, 11, 10, 0.2, 0), [
        ("전통 식혜 1.5L", "Sikhye Rice Punch 1.5L", 4900), ("수정과 1.5L", "Sujeonggwa Cinnamon Punch 1.5L", 5500),
        ("매실 음료 500ml 12입", "Plum Drink 500ml x12", 14900), ("옥수수수염차 500ml 20입", "Corn Silk Tea x20", 15900),
        ("보리차 티백 100입", "Barley Tea 100 bags", 6900), ("유자차 1kg", "Yuja Tea 1kg", 11900),
        ("헛개차 1.5L 6입", "Hovenia Tea 1.5L x6", 13900), ("배도라지 음료 12입", "Pear Bellflower Drink x12", 16900),
    ]),
    ("건강식품", "Health Foods", ["홍삼", "흑마늘", "도라지", "건강", "선물세트"], (120, 20, 25, 15, 3, 0.5), [
        ("6년근 홍삼정 240g", "6-Year Red Ginseng Extract 240g", 89000), ("홍삼스틱 30포", "Red Ginseng Sticks x30", 49000),
        ("흑마늘 진액 30포", "Black Garlic Extract x30", 39000), ("도라지배즙 30포", "Bellflower Pear Juice x30", 29000),
        ("양배추즙 30포", "Cabbage Juice x30", 25000), ("석류 콜라겐 젤리 30포", "Pomegranate Collagen Jelly x30", 32000),
        ("꿀 선물세트 1kg", "Honey Gift Set 1kg", 45000), ("견과류 한줌 30봉", "Daily Nuts x30", 27900),
    ]),
    ("즉석식품", "Ready Meals", ["만두", "떡볶이", "즉석밥", "국", "밀키트"], (190, 600, 28, 4, 7, 6), [
        ("고기 왕만두 1.4kg", "Pork Dumplings 1.4kg", 12900), ("떡볶이 밀키트 2인분", "Tteokbokki Meal Kit for 2", 8900),
        ("즉석밥 210g 12입", "Instant Rice 210g x12", 13900), ("사골곰탕 500g 4입", "Beef Bone Soup 500g x4", 11900),
        ("김치찌개 밀키트", "Kimchi Stew Meal Kit", 9900), ("부대찌개 밀키트", "Army Stew Meal Kit", 12900),
        ("김치볶음밥 4인분", "Kimchi Fried Rice for 4", 10900), ("해물파전 믹스", "Seafood Pancake Mix", 5900),
    ]),
    ("양념/소스", "Seasonings", ["참기름", "들기름", "양념", "소스", "고춧가루"], (480, 1800, 30, 22, 3, 38), [
        ("참기름 300ml", "Sesame Oil 300ml", 12900), ("들기름 300ml", "Perilla Oil 300ml", 13900),
        ("국산 고춧가루 500g", "Korean Chili Flakes 500g", 24900), ("불고기 양념 500g", "Bulgogi Marinade 500g", 5900),
        ("갈비 양념 840g", "Galbi Marinade 840g", 7900), ("멸치액젓 1kg", "Anchovy Fish Sauce 1kg", 6900),
        ("맛술 900ml", "Cooking Wine 900ml", 4500), ("까나리액젓 1kg", "Sand Lance Fish Sauce 1kg", 6500),
    ]),
]  # fmt: skip
BRANDS = ["한맛", "정성가득", "해담"]
# month multipliers per category index (kimjang in November, drinks in summer, gifts at 설/추석)
CATEGORY_SEASON = {
    0: [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.7, 1.3],
    4: [0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.5, 1.1, 0.9, 0.8, 0.8],
    5: [1.5, 1.3, 0.9, 0.9, 1.1, 0.9, 0.8, 0.8, 1.5, 1.0, 0.9, 1.2],
}
MONTH_SEASON = np.array([1.1, 1.15, 0.95, 0.95, 1.0, 0.95, 0.9, 0.9, 1.15, 1.05, 1.2, 1.1])
WEEKDAY = np.array([1.15, 1.05, 1.0, 0.95, 0.9, 0.8, 1.1])  # Monday … Sunday
HOUR = np.array(
    [1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 2.5, 3, 3.5, 4.5, 4, 3.5, 3.2, 3.2, 3.4, 3.8, 4.2, 5, 5.5, 4.5, 2.5]
)
REVIEW_TEXT = {
    5: ["정말 맛있어요! 재구매 의사 있습니다.", "배송도 빠르고 포장도 꼼꼼해요.", "엄마가 해주신 맛이랑 똑같아요.",
        "가족 모두 좋아해요. 강력 추천합니다.", "신선하고 양도 넉넉해요.", "선물용으로 샀는데 반응이 좋았어요."],
    4: ["맛있는데 조금 짜요.", "가격 대비 괜찮아요.", "무난하게 먹기 좋아요.", "배송이 하루 늦었지만 맛은 좋아요.",
        "다음에도 구매할 것 같아요."],
    3: ["보통이에요.", "기대했던 것보다는 평범해요.", "맛은 괜찮은데 양이 적어요.", "가격이 조금 비싼 편이에요."],
    2: ["생각보다 너무 짜요.", "포장이 조금 터져서 왔어요.", "맛이 예전 같지 않아요.", "배송이 너무 늦었어요."],
    1: ["맛이 이상해요. 실망입니다.", "유통기한이 얼마 안 남은 제품이 왔어요.", "배송 중 파손되어 왔어요. 다시는 안 살래요.",
        "환불 요청했습니다. 별로예요."],
}  # fmt: skip
MISSPELLINGS = ["김치찌게", "고추쟝", "떡뽁이", "비빔멘", "홍샴"]
# Prices move like a real shop's and demand answers them (so the price optimiser, ml.pricing, has
# something to measure): each product's list price steps between these multipliers every few
# months, ~5 % of product-weeks are a 15 % promotion, and the chance that an order line is the
# product scales with multiplier ** elasticity (category mean + product spread, below).
PRICE_STEPS = np.array([0.9, 0.95, 1.0, 1.05, 1.1])
CATEGORY_ELASTICITY = [-1.5, -1.2, -2.0, -2.2, -1.8, -1.0, -1.6, -1.3]  # by CATALOG index


@dataclass
class ShopResult:
    categories: int = 0
    products: int = 0
    orders: int = 0
    items: int = 0
    reviews: int = 0
    wishlists: int = 0
    cart_events: int = 0
    page_views: int = 0
    searches: int = 0


def catalog_ensure(*, rng: np.random.Generator, listed: dt.datetime) -> tuple[list[Category], pd.DataFrame]:
    """Create (or reuse) the categories and products; return them with per-product attributes
    (id, category index, KRW price, quality, popularity)."""
    categories = []
    for order, (name, name_en, _, _, _) in enumerate(CATALOG):
        category, _ = Category.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})
        categories.append(category)
    rows = []
    for ci, (_, _, _, nutrition, products) in enumerate(CATALOG):
        for pi, (name, name_en, price) in enumerate(products):
            for bi, brand in enumerate(BRANDS[: 2 if pi % 3 else 3]):
                sku = f"KF-{ci + 1:02d}{pi + 1:02d}{bi + 1}"
                jitter = 1 + 0.08 * (bi - 1)
                kcal, sodium, carbs, sugars, protein, fat = (round(v * (1 + 0.06 * (bi - 1)), 1) for v in nutrition)
                product, _ = Product.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "name": f"{brand} {name}",
                        "name_en": f"{_brand_en(brand)} {name_en}",
                        "category": categories[ci],
                        "price": int(round(price * jitter, -2)),
                        "currency": "KRW",
                        "image_url": f"https://cdn.example.com/kfood/{sku.lower()}.jpg",
                        "nutrition_facts": {
                            "serving_size_g": 100,
                            "calories_kcal": kcal,
                            "sodium_mg": sodium,
                            "carbohydrate_g": carbs,
                            "sugars_g": sugars,
                            "protein_g": protein,
                            "fat_g": fat,
                        },
                        "description": f"{brand}에서 정성껏 만든 {name}",
                    },
                )
                rows.append((product.pk, ci, int(product.price)))
    # listed before the history starts, so no order predates its product
    Product.objects.filter(pk__in=[r[0] for r in rows], created_at__gt=listed).update(created_at=listed)
    frame = pd.DataFrame(rows, columns=["id", "category", "price"])
    frame["quality"] = np.clip(rng.normal(4.1, 0.5, len(frame)), 2.4, 4.95)
    frame["popularity"] = rng.permutation(1 / np.arange(1, len(frame) + 1) ** 0.9)
    return categories, frame


def _price_schedule(rng: np.random.Generator, n_days: int, categories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weekly price multiplier per product, weeks × products; each product's elasticity)."""
    n_weeks, n_products = n_days // 7 + 1, len(categories)
    mult = np.empty((n_weeks, n_products))
    level = rng.integers(0, len(PRICE_STEPS), n_products)
    for w in range(n_weeks):
        move = rng.random(n_products) < 1 / 10  # a list-price change every ~10 weeks
        level = np.where(move, np.clip(level + rng.choice([-2, -1, 1, 2], n_products), 0, len(PRICE_STEPS) - 1), level)
        mult[w] = PRICE_STEPS[level]
    promo = rng.random((n_weeks, n_products)) < 0.05
    mult = np.where(promo, mult * 0.85, mult)
    mult[-1] = 1.0  # the last week sells at the catalogue price (Product.price)
    elasticity = np.clip(np.array(CATEGORY_ELASTICITY)[categories] + rng.normal(0, 0.35, n_products), -3.5, -0.3)
    return mult, elasticity


def _brand_en(brand: str) -> str:
    return {"한맛": "Hanmat", "정성가득": "Jeongseong", "해담": "Haedam"}[brand]


def _money(cents: np.ndarray) -> np.ndarray:
    """Integer cents as decimal strings ("12900.00")."""
    cents = np.asarray(cents, dtype=np.int64)
    whole = (cents // 100).astype(str)
    frac = np.char.zfill((cents % 100).astype(str), 2)
    return np.char.add(np.char.add(whole, "."), frac)


def shop_generate(
    *,
    n_orders: int,
    as_of: dt.date,
    seed: int,
    customer_ids: np.ndarray,
    customer_created: np.ndarray,
    overseas: np.ndarray,
    progress: Callable[[int], None] = lambda n: None,
    chunk_size: int = 200_000,
) -> ShopResult:
    """Generate and insert the shop's rows for the given customers (their registration times
    and whether they live abroad and pay in USD)."""
    rng = np.random.default_rng(seed + 1)
    result = ShopResult()
    listed = dt.datetime.combine(as_of - dt.timedelta(days=760), dt.time(9), tzinfo=dt.UTC)
    categories, products = catalog_ensure(rng=rng, listed=listed)
    result.categories, result.products = len(categories), len(products)
    if n_orders <= 0 or len(customer_ids) == 0:
        return result

    # buyers: ~75 % of customers shop; ordered by registration so a prefix is "registered by t"
    shoppers = rng.random(len(customer_ids)) < 0.75
    shoppers[0] = True
    by_created = np.argsort(customer_created[shoppers], kind="stable")
    buyer_ids = customer_ids[shoppers][by_created]
    buyer_created = customer_created[shoppers][by_created].astype("datetime64[s]").astype(np.int64)
    buyer_overseas = overseas[shoppers][by_created]
    # About 40 % of buyers stop buying some time after they register (exponential lifetime,
    # at least 30 days): the shop has churn for its churn model to learn from.
    lapses = rng.random(len(buyer_ids)) < 0.4
    lifetime = (30 + rng.exponential(300, len(buyer_ids))) * 86400
    buyer_lapse = np.where(lapses, buyer_created + lifetime.astype(np.int64), np.iinfo(np.int64).max)

    end = np.datetime64(as_of, "D")
    days = np.arange(end - np.timedelta64(729, "D"), end + np.timedelta64(1, "D"))
    day_int = days.astype(np.int64)
    months = days.astype("datetime64[M]").astype(int) % 12
    growth = 0.55 + 0.9 * np.arange(len(days)) / len(days)
    weights = growth * WEEKDAY[(day_int + 3) % 7] * MONTH_SEASON[months]
    weights /= weights.sum()

    month_p = np.zeros((12, len(products)))
    for m in range(12):
        season = np.array([CATEGORY_SEASON.get(c, [1.0] * 12)[m] for c in products["category"]])
        p = products["popularity"].to_numpy() * season
        month_p[m] = p / p.sum()
    prod_ids = products["id"].to_numpy()
    prod_price = products["price"].to_numpy()
    price_mult, elasticity = _price_schedule(rng, len(days), products["category"].to_numpy())
    prod_quality = products["quality"].to_numpy()
    prod_cat = products["category"].to_numpy()
    cat_ids = np.array([c.pk for c in categories])
    keywords = [np.array(c[2]) for c in CATALOG]

    order_next = int(next_ids(Order, 1)[0])
    item_next = int(next_ids(OrderItem, 1)[0])
    as_of_s = int(np.datetime64(as_of, "D").astype("datetime64[s]").astype(np.int64)) + 86399 - 9 * 3600
    seen_reviews: set[tuple[int, int]] = set()

    for start in range(0, n_orders, chunk_size):
        n = min(chunk_size, n_orders - start)
        # --- orders ---
        day = rng.choice(day_int, size=n, p=weights)
        hour = rng.choice(24, size=n, p=HOUR / HOUR.sum())
        ts = day * 86400 + (hour - 9) * 3600 + rng.integers(0, 3600, n)  # KST hour → UTC seconds
        ts = np.minimum(ts, as_of_s - 60)
        eligible = np.maximum(1, np.searchsorted(buyer_created, ts, side="right"))
        pick = (eligible * rng.random(n) ** 1.6).astype(np.int64)
        for _ in range(8):  # a lapsed buyer places no new orders: draw another buyer
            lapsed = ts > buyer_lapse[pick]
            if not lapsed.any():
                break
            pick[lapsed] = (eligible[lapsed] * rng.random(int(lapsed.sum())) ** 1.6).astype(np.int64)
        buyer = buyer_ids[pick]
        ts = np.maximum(ts, buyer_created[pick] + 600)  # never before the buyer registered
        usd = buyer_overseas[pick]
        order_ids = np.arange(order_next, order_next + n)
        order_next += n
        age_days = (as_of_s - ts) // 86400
        status = np.where(age_days > 10, "DELIVERED", "SHIPPED").astype(object)
        status[age_days <= 5] = "PREPARING"
        status[age_days <= 2] = "CONFIRMED"
        status[age_days < 1] = "PENDING"
        cancelled = rng.random(n) < np.where(age_days > 10, 0.065, 0.03)
        status[cancelled] = "CANCELLED"

        # --- items ---
        n_items = np.minimum(1 + rng.poisson(1.4, n), 6)
        item_order = np.repeat(np.arange(n), n_items)
        # the week of the order's final local (KST) day: ts may have moved past the buyer's registration
        item_week = np.clip(((ts + 9 * 3600) // 86400 - day_int[0]) // 7, 0, len(price_mult) - 1)[item_order]
        item_product = np.zeros(len(item_order), dtype=np.int64)
        for w in np.unique(item_week):
            mask = item_week == w
            month = int(np.datetime64(int(day_int[0] + 7 * w), "D").astype("datetime64[M]").astype(int) % 12)
            p = month_p[month] * price_mult[w] ** elasticity
            item_product[mask] = rng.choice(len(prod_ids), size=int(mask.sum()), p=p / p.sum())
        qty = 1 + rng.poisson(0.35, len(item_order))
        list_price = prod_price[item_product] * price_mult[item_week, item_product]
        krw = list_price * np.where(rng.random(len(item_order)) < 0.12, 0.9, 1.0)
        krw_cents = (np.round(krw, -1) * 100).astype(np.int64)
        usd_cents = np.maximum(50, np.round(list_price * USD_PER_KRW * 100)).astype(np.int64)
        unit_cents = np.where(usd[item_order], usd_cents, krw_cents)
        sub_cents = unit_cents * qty
        total_cents = np.bincount(item_order, weights=sub_cents, minlength=n).astype(np.int64)

        result.orders += bulk_insert(
            Order,
            pd.DataFrame(
                {
                    "id": order_ids,
                    "buyer_id": buyer,
                    "status": status.astype(str),
                    "total": _money(total_cents),
                    "currency": np.where(usd, "USD", "KRW"),
                    "created_at": datetimes_sql(ts.astype("datetime64[s]")),
                    "updated_at": datetimes_sql(
                        np.minimum(ts + age_days.clip(0, 6) * 86400, as_of_s).astype("datetime64[s]")
                    ),
                }
            ),
        )
        item_ids = np.arange(item_next, item_next + len(item_order))
        item_next += len(item_order)
        result.items += bulk_insert(
            OrderItem,
            pd.DataFrame(
                {
                    "id": item_ids,
                    "order_id": order_ids[item_order],
                    "product_id": prod_ids[item_product],
                    "quantity": qty,
                    "unit_price": _money(unit_cents),
                    "subtotal": _money(sub_cents),
                }
            ),
        )

        # --- reviews: ~22 % of delivered lines, one per customer and product ---
        delivered_line = status[item_order] == "DELIVERED"
        wants = delivered_line & (rng.random(len(item_order)) < 0.22)
        r_idx = np.nonzero(wants)[0]
        r_created = ts[item_order[r_idx]] + rng.integers(3, 21, len(r_idx)) * 86400
        r_idx, r_created = r_idx[r_created < as_of_s], r_created[r_created < as_of_s]
        keep = []
        for i, (b, p) in enumerate(
            zip(buyer[item_order[r_idx]].tolist(), prod_ids[item_product[r_idx]].tolist(), strict=True)
        ):
            if (b, p) not in seen_reviews:
                seen_reviews.add((b, p))
                keep.append(i)
        r_idx, r_created = r_idx[keep], r_created[keep]
        rating = np.clip(np.round(prod_quality[item_product[r_idx]] + rng.normal(0, 1.0, len(r_idx))), 1, 5).astype(int)
        texts = [
            " ".join(rng.choice(REVIEW_TEXT[r], size=1 + int(u < 0.4), replace=False))
            for r, u in zip(rating.tolist(), rng.random(len(r_idx)).tolist(), strict=True)
        ]
        result.reviews += bulk_insert(
            Review,
            pd.DataFrame(
                {
                    "product_id": prod_ids[item_product[r_idx]],
                    "customer_id": buyer[item_order[r_idx]],
                    "order_id": order_ids[item_order[r_idx]],
                    "rating": rating,
                    "content": texts,
                    "created_at": datetimes_sql(r_created.astype("datetime64[s]")),
                }
            ),
        )

        # --- carts: one checked-out cart per order, ~0.55 abandoned carts per order ---
        n_ab = int(n * 0.55)
        ab_src = rng.integers(0, n, n_ab)  # an abandoned cart looks like an order that did not happen
        ab_ts = np.maximum(ts[ab_src] - rng.integers(1, 30, n_ab) * 86400, buyer_created[pick[ab_src]] + 60)
        ab_items = 1 + rng.poisson(0.6, n_ab)
        ab_item_cart = np.repeat(np.arange(n_ab), ab_items)
        ab_item_product = rng.choice(len(prod_ids), size=len(ab_item_cart), p=month_p.mean(axis=0))
        cart_ids = np.char.add("o", order_ids.astype(str))
        ab_cart_ids = np.char.add("a", (order_ids[ab_src] * 10 + rng.integers(0, 10, n_ab)).astype(str))
        removed = rng.random(len(ab_item_cart)) < 0.25
        events = pd.concat(
            [
                pd.DataFrame(
                    {
                        "customer_id": buyer[item_order],
                        "cart_id": cart_ids[item_order],
                        "product_id": prod_ids[item_product],
                        "event": "added",
                        "quantity": qty,
                        "order_id": pd.array([None] * len(item_order), dtype="Int64"),
                        "occurred_at": datetimes_sql(
                            (ts[item_order] - rng.integers(60, 1800, len(item_order))).astype("datetime64[s]")
                        ),
                    }
                ),
                pd.DataFrame(
                    {
                        "customer_id": buyer,
                        "cart_id": cart_ids,
                        "product_id": pd.array([None] * n, dtype="Int64"),
                        "event": "checked_out",
                        "quantity": n_items,
                        "order_id": pd.array(order_ids, dtype="Int64"),
                        "occurred_at": datetimes_sql(ts.astype("datetime64[s]")),
                    }
                ),
                pd.DataFrame(
                    {
                        "customer_id": buyer[ab_src][ab_item_cart],
                        "cart_id": ab_cart_ids[ab_item_cart],
                        "product_id": prod_ids[ab_item_product],
                        "event": "added",
                        "quantity": 1,
                        "order_id": pd.array([None] * len(ab_item_cart), dtype="Int64"),
                        "occurred_at": datetimes_sql(
                            (ab_ts[ab_item_cart] + rng.integers(0, 900, len(ab_item_cart))).astype("datetime64[s]")
                        ),
                    }
                ),
                pd.DataFrame(
                    {
                        "customer_id": buyer[ab_src][ab_item_cart[removed]],
                        "cart_id": ab_cart_ids[ab_item_cart[removed]],
                        "product_id": prod_ids[ab_item_product[removed]],
                        "event": "removed",
                        "quantity": 1,
                        "order_id": pd.array([None] * int(removed.sum()), dtype="Int64"),
                        "occurred_at": datetimes_sql((ab_ts[ab_item_cart[removed]] + 1000).astype("datetime64[s]")),
                    }
                ),
            ],
            ignore_index=True,
        )
        result.cart_events += bulk_insert(CartEvent, events)

        # --- browsing: a category page and the product pages before each cart ---
        first_cat = prod_cat[item_product[np.concatenate([[0], np.cumsum(n_items)[:-1]])]]
        sess_order = np.char.add("s", order_ids.astype(str))
        sess_ab = np.char.add("s", ab_cart_ids)
        ab_first_cat = prod_cat[ab_item_product[np.concatenate([[0], np.cumsum(ab_items)[:-1]])]]
        pv_product = np.concatenate([item_product, ab_item_product])
        pv = pd.concat(
            [
                pd.DataFrame(
                    {
                        "customer_id": np.concatenate([buyer, buyer[ab_src]]),
                        "session_id": np.concatenate([sess_order, sess_ab]),
                        "path": np.char.add(
                            "/categories/", cat_ids[np.concatenate([first_cat, ab_first_cat])].astype(str)
                        ),
                        "product_id": pd.array([None] * (n + n_ab), dtype="Int64"),
                        "category_id": cat_ids[np.concatenate([first_cat, ab_first_cat])],
                        "duration_seconds": rng.integers(5, 90, n + n_ab),
                        "viewed_at": datetimes_sql(np.concatenate([ts - 2400, ab_ts - 600]).astype("datetime64[s]")),
                    }
                ),
                pd.DataFrame(
                    {
                        "customer_id": np.concatenate([buyer[item_order], buyer[ab_src][ab_item_cart]]),
                        "session_id": np.concatenate([sess_order[item_order], sess_ab[ab_item_cart]]),
                        "path": np.char.add("/products/", prod_ids[pv_product].astype(str)),
                        "product_id": prod_ids[pv_product],
                        "category_id": cat_ids[prod_cat[pv_product]],
                        "duration_seconds": np.clip(rng.lognormal(3.8, 0.8, len(pv_product)), 3, 1800).astype(int),
                        "viewed_at": datetimes_sql(
                            np.concatenate([ts[item_order] - 1800, ab_ts[ab_item_cart] - 300]).astype("datetime64[s]")
                        ),
                    }
                ),
            ],
            ignore_index=True,
        )
        result.page_views += bulk_insert(PageView, pv)

        # --- searches: most sessions start with one, named after the first item's category ---
        s_mask = rng.random(n + n_ab) < np.concatenate([np.full(n, 0.6), np.full(n_ab, 0.4)])
        s_cat = np.concatenate([first_cat, ab_first_cat])[s_mask]
        query = np.array(
            [
                keywords[c][k % len(keywords[c])]
                for c, k in zip(s_cat.tolist(), rng.integers(0, 5, len(s_cat)).tolist(), strict=True)
            ],
            dtype=object,
        )
        typo = rng.random(len(query)) < 0.03
        query[typo] = rng.choice(MISSPELLINGS, int(typo.sum()))
        results_count = np.where(typo, 0, rng.integers(3, 60, len(query)))
        result.searches += bulk_insert(
            SearchQuery,
            pd.DataFrame(
                {
                    "customer_id": np.concatenate([buyer, buyer[ab_src]])[s_mask],
                    "session_id": np.concatenate([sess_order, sess_ab])[s_mask],
                    "query": query,
                    "results_count": results_count,
                    "searched_at": datetimes_sql(
                        (np.concatenate([ts - 2700, ab_ts - 700])[s_mask]).astype("datetime64[s]")
                    ),
                }
            ),
        )
        progress(n)

    # --- wishlists: 30 % of shoppers, 1–5 products each ---
    w_mask = rng.random(len(buyer_ids)) < 0.3
    w_count = rng.integers(1, 6, int(w_mask.sum()))
    w_customer = np.repeat(buyer_ids[w_mask], w_count)
    w_created = np.repeat(buyer_created[w_mask], w_count)
    w_product = prod_ids[rng.choice(len(prod_ids), size=len(w_customer), p=month_p.mean(axis=0))]
    wish = pd.DataFrame({"customer_id": w_customer, "product_id": w_product, "created_at_s": w_created})
    wish = wish.drop_duplicates(["customer_id", "product_id"])
    span = np.maximum(1, as_of_s - wish["created_at_s"].to_numpy())
    wish["created_at"] = datetimes_sql(
        (wish["created_at_s"].to_numpy() + (rng.random(len(wish)) * span).astype(np.int64)).astype("datetime64[s]")
    )
    result.wishlists = bulk_insert(WishlistItem, wish.drop(columns=["created_at_s"]))
    reset_sequences(Order, OrderItem, Review, CartEvent, PageView, SearchQuery, WishlistItem)
    return result
