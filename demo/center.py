"""Demo data for the wellness center (``manage.py seed_demo``).

The data are made to carry the signals the analytics look for:

- customers register over the history with growth; each has preferred weekdays, a time slot,
  two or three favourite services and one of four behaviours: regular, occasional, churned
  (visits thin out, satisfaction drops, then they stop) and one-off;
- visit dates follow a renewal process with seasonality (busy January and spring, quiet
  August and the Chuseok/Seollal weeks) snapped to the customer's preferred weekdays;
- visits redeem sessions from packages the customer buys when the previous one runs out or
  expires, so balances are consistent (``0 ≤ used ≤ total``); some visits are paid per visit;
- health metrics (stress, sleep quality, focus, energy) are reported about monthly and improve
  with the number of sessions attended.

Everything comes from one seed: the same seed and ``as_of`` give the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from faker import Faker

from customers.catalog import SERVICES
from customers.models import (
    Customer,
    CustomerPreference,
    HealthMetric,
    Package,
    PackageBalance,
    PackageItem,
    PackagePurchase,
    PurchaseStatus,
    Service,
    ServiceSession,
)
from customers.services.bulk import bulk_insert, dates_sql, datetimes_sql, is_postgres, next_ids, reset_sequences

CODES = [spec.code for spec in SERVICES]

# name, price (KRW), validity (days), sessions per service
PACKAGE_CATALOG: list[tuple[str, int, int, dict[str, int]]] = [
    ("웰니스 체험 패키지", 99000, 30, {"brain": 1, "pulse": 1, "red": 1, "ai_bike": 1}),
    ("브레인 집중 10회", 450000, 90, {"brain": 10}),
    ("베이직 케어", 550000, 90, {"brain": 5, "red": 5, "ai_bike": 5}),
    ("바디 밸런스", 1150000, 120, {"pulse": 10, "lymph": 10, "ai_bike": 10}),
    ("웰니스 플러스", 1450000, 180, {"brain": 10, "pulse": 5, "lymph": 5, "red": 10, "ai_bike": 5}),
    ("프리미엄 케어", 1800000, 180, {"brain": 10, "pulse": 10, "lymph": 10, "red": 10}),
]

GOALS = [
    "스트레스 해소",
    "수면 개선",
    "체중 감량",
    "집중력 향상",
    "면역력 강화",
    "통증 완화",
    "피부 개선",
    "지구력 향상",
]
# a customer's health interests name the subject of the goal tags of the services they favour
INTERESTS = {spec.code: list(spec.interests) for spec in SERVICES}
OCCUPATIONS = [
    "회사원", "회사원", "회사원", "자영업", "프리랜서", "교사", "공무원", "주부", "학생", "간호사",
    "개발자", "디자이너", "연구원", "은퇴", "의사", "약사", "영업직", "마케터",
]  # fmt: skip
NOTES = [
    "컨디션 양호", "수면의 질이 좋아졌다고 함", "두통 완화", "집중력 향상 체감", "피로감 호소",
    "다음 회차 강도 상향 예정", "어깨 결림 완화", "스트레스 지수 감소", "만족도 높음", "일정 변경 요청",
    "허리 통증 호소, 강도 낮춤", "부종 감소 확인", "운동 후 근육통 있음", "첫 방문, 상담 진행",
]  # fmt: skip
SLOTS = ["morning", "afternoon", "evening"]
SLOT_HOURS = {"morning": (9, 12), "afternoon": (13, 17), "evening": (18, 21)}
# relative busyness per month (January resolutions, spring; quiet August and holiday months)
SEASON = np.array([1.25, 1.0, 1.15, 1.15, 1.05, 0.95, 0.9, 0.7, 1.0, 0.95, 1.05, 0.85])
BEHAVIOURS = ["regular", "occasional", "churned", "one_off"]
BEHAVIOUR_P = [0.4, 0.3, 0.2, 0.1]
AVG_SPAN = 300  # average days a customer is active in the two years (registration grows over time)
METRICS = ["stress_level", "sleep_quality", "focus_level", "energy_level"]


@dataclass
class CenterResult:
    customers: int = 0
    purchases: int = 0
    balances: int = 0
    sessions: int = 0
    metrics: int = 0
    customer_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    customer_created: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="datetime64[s]"))
    overseas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def catalog_ensure() -> tuple[dict[str, Service], list[tuple[Package, dict[int, int]]]]:
    """Create or update the 5 services and the packages; return them (packages with
    ``{service_id: sessions}``)."""
    services = {}
    for spec in SERVICES:
        services[spec.code], _ = Service.objects.update_or_create(code=spec.code, defaults=spec.defaults())
    packages = []
    for name, price, days, items in PACKAGE_CATALOG:
        package, _ = Package.objects.update_or_create(
            name=name,
            defaults={"price": price, "validity_days": days, "description": _package_description(items)},
        )
        for code, n in items.items():
            PackageItem.objects.update_or_create(package=package, service=services[code], defaults={"sessions": n})
        packages.append((package, {services[c].pk: n for c, n in items.items()}))
    return services, packages


def _package_description(items: dict[str, int]) -> str:
    names = {spec.code: spec.name for spec in SERVICES}
    return ", ".join(f"{names[c]} {n}회" for c, n in items.items())


def staff_ensure(*, count: int, fake: Faker) -> list[int]:
    """Staff users ``staff01…`` (role STAFF, ``is_staff``, no usable password: demo logins
    come from ``create_demo_users``)."""
    User = get_user_model()
    ids = []
    for i in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"staff{i:02d}",
            defaults={
                "role": "STAFF",
                "is_staff": True,
                "display_name": fake.name(),
                "email": f"staff{i:02d}@example.com",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        ids.append(user.pk)
    return ids


def _snap_to_weekdays(days: np.ndarray, dows: np.ndarray, prefs: np.ndarray) -> np.ndarray:
    """Move each day (days since epoch) to the nearest of the customer's preferred weekdays
    (``prefs``: n × 2 weekday numbers, Monday = 0)."""
    # 1970-01-01 was a Thursday (weekday 3)
    best = None
    for k in range(prefs.shape[1]):
        delta = (prefs[:, k] - dows + 3) % 7 - 3  # in -3..3
        best = delta if best is None else np.where(np.abs(delta) < np.abs(best), delta, best)
    return days + best


def center_generate(
    *,
    n_customers: int,
    sessions_per_customer: float,
    as_of: dt.date,
    seed: int,
    staff_ids: list[int],
    packages: list[tuple[Package, dict[int, int]]],
    services: dict[str, Service],
    fake: Faker,
    progress: Callable[[int], None] = lambda n: None,
    chunk_size: int = 5000,
) -> CenterResult:
    """Generate and insert customers, preferences, purchases, balances, sessions and health
    metrics in chunks of ``chunk_size`` customers. Denormalised stats are NOT refreshed here
    (the caller runs ``customer_stats_refresh`` once at the end)."""
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    end_day = np.datetime64(as_of, "D")
    start_day = end_day - np.timedelta64(730, "D")
    epoch_end = int(end_day.astype(np.int64))
    epoch_start = int(start_day.astype(np.int64))
    names = [fake.name() for _ in range(min(4000, max(200, n_customers)))]
    addresses = [fake.address() for _ in range(min(3000, max(200, n_customers)))]
    service_ids = np.array([services[c].pk for c in CODES])
    durations = {services[c].pk: services[c].duration_minutes for c in CODES}
    pkg_prices = [int(p.price) for p, _ in packages]
    pkg_days = [p.validity_days for p, _ in packages]
    result = CenterResult()
    ids = next_ids(Customer, n_customers)
    purchase_next = int(next_ids(PackagePurchase, 1)[0])
    session_next = int(next_ids(ServiceSession, 1)[0])

    # per-customer attributes, all at once
    behaviour = rng.choice(len(BEHAVIOURS), size=n_customers, p=BEHAVIOUR_P)
    # registration: 15 % before the history, the rest growing over it (density ∝ t)
    reg = np.where(
        rng.random(n_customers) < 0.15,
        epoch_start - rng.integers(1, 365, n_customers),
        epoch_start + (np.sqrt(rng.random(n_customers)) * 700).astype(np.int64),
    )
    reg_seconds = reg * 86400 + rng.integers(9 * 3600, 20 * 3600, n_customers) - 9 * 3600  # KST → UTC
    overseas = rng.random(n_customers) < 0.04
    fav = np.argsort(rng.random((n_customers, 5)) * np.array([0.6, 1.0, 1.2, 1.0, 0.9]), axis=1)[:, :3]
    pref_dows = np.stack([rng.integers(0, 7, n_customers), rng.integers(0, 7, n_customers)], axis=1)
    slot = rng.choice(3, size=n_customers, p=[0.3, 0.3, 0.4])
    base_sat = np.clip(rng.normal(4.2, 0.45, n_customers), 2.5, 5.0)
    # mean days between visits: about AVG_SPAN / sessions_per_customer, faster for regulars
    mean_gap_all = np.clip(
        AVG_SPAN
        / max(sessions_per_customer, 0.1)
        / np.choose(behaviour, [1.7, 0.55, 1.1, 1.0])
        * rng.lognormal(0, 0.35, n_customers),
        3,
        365,
    )
    one_off_visits = rng.integers(1, 3, n_customers)

    for chunk_start in range(0, n_customers, chunk_size):
        sl = slice(chunk_start, min(n_customers, chunk_start + chunk_size))
        cids = ids[sl]
        n = len(cids)
        first_visit = np.maximum(reg[sl], epoch_start) + rng.integers(0, 20, n)
        last_possible = np.full(n, epoch_end)
        beh = behaviour[sl]
        churned = beh == 2
        span = np.maximum(1, last_possible - first_visit)
        # churned customers stop between 35 % and 80 % of their span
        churn_at = first_visit + (span * rng.uniform(0.35, 0.8, n)).astype(np.int64)
        stop = np.where(churned, np.maximum(first_visit + 30, churn_at), last_possible)
        active_days = np.maximum(1, stop - first_visit)
        mean_gap = mean_gap_all[sl]
        expected = active_days / mean_gap
        counts = np.where(beh == 3, one_off_visits[sl], np.ceil(expected * 1.6 + 3)).astype(int)
        k = int(counts.max())
        # renewal process; churned customers' gaps widen towards the end (×0.7 → ×2.5)
        gaps = rng.gamma(3.0, 1.0 / 3.0, size=(n, k)) * mean_gap[:, None]
        frac = np.arange(k)[None, :] / np.maximum(1, expected[:, None])
        gaps = np.where(churned[:, None], gaps * (0.7 + 1.8 * np.clip(frac, 0, 1) ** 2), gaps)
        gaps[:, 0] = rng.uniform(0, 1, n) * np.minimum(mean_gap, 20)
        offsets = np.cumsum(gaps, axis=1)
        valid = (np.arange(k)[None, :] < counts[:, None]) & (offsets <= active_days[:, None])
        row, col = np.nonzero(valid)
        day = first_visit[row] + offsets[row, col].astype(np.int64)
        day = _snap_to_weekdays(day, (day + 3) % 7, pref_dows[sl][row])
        month = (np.datetime64("1970-01-01") + day.astype("timedelta64[D]")).astype("datetime64[M]").astype(int) % 12
        keep = (rng.random(len(day)) < SEASON[month] / SEASON.max() + 0.15) | (col == 0)
        keep &= (day <= epoch_end) & (day >= first_visit[row] - 3)
        row, col, day = row[keep], col[keep], day[keep]
        order = np.lexsort((day, row))
        row, col, day = row[order], col[order], day[order]
        # progress through the customer's visits (0 → 1), for trends
        count_kept = np.bincount(row, minlength=n)
        first_idx = np.concatenate([[0], np.cumsum(count_kept)[:-1]])
        position = np.arange(len(row)) - first_idx[row]
        progress_frac = position / np.maximum(1, count_kept[row] - 1)
        sat = base_sat[sl][row] + 0.25 * progress_frac + rng.normal(0, 0.6, len(row))
        sat = np.where(churned[row], sat - 1.3 * progress_frac, sat)
        rating = np.clip(np.round(sat), 1, 5).astype(int)
        rated = rng.random(len(row)) < 0.8
        lo = np.array([SLOT_HOURS[s][0] for s in SLOTS])[slot[sl][row]]
        hi = np.array([SLOT_HOURS[s][1] for s in SLOTS])[slot[sl][row]]
        hour = lo + (rng.random(len(row)) * (hi - lo)).astype(int)
        minute = rng.choice([0, 30], len(row))
        staff_pick = rng.integers(0, len(staff_ids), len(row))
        assigned = rng.integers(0, len(staff_ids), n)
        staff_col = np.where(
            rng.random(len(row)) < 0.7, np.array(staff_ids)[assigned[row]], np.array(staff_ids)[staff_pick]
        )
        note_pick = rng.integers(0, len(NOTES), len(row))
        has_note = rng.random(len(row)) < 0.45

        # packages and redemptions: sequential per customer
        purchases: list[tuple] = []
        s_service = np.zeros(len(row), dtype=np.int64)
        s_purchase = np.zeros(len(row), dtype=np.int64)  # 0 = paid per visit
        fav_chunk = fav[sl]
        for c in range(n):
            start, stop_i = first_idx[c], first_idx[c] + count_kept[c]
            favs = [int(service_ids[j]) for j in fav_chunk[c]]
            rebuy = (0.9, 0.55, 0.75, 0.3)[beh[c]]
            current = None  # [purchase_id, expiry_day, {service_id: [total, used]}]
            for i in range(start, stop_i):
                d = int(day[i])
                if current is not None and (d > current[1] or all(u >= t for t, u in current[2].values())):
                    current = None
                if current is None and (i == start or prng.random() < rebuy):
                    if i == start and prng.random() < 0.35:
                        p = 0
                    else:
                        scores = [sum(1 for f in favs if f in items) + prng.random() for _, items in packages]
                        p = max(range(1, len(packages)), key=lambda j: scores[j])
                    package, items = packages[p]
                    pid = purchase_next
                    purchase_next += 1
                    discount = 0.9 if prng.random() < 0.15 else 1.0
                    purchases.append(
                        (pid, int(cids[c]), package.pk, d, d + pkg_days[p], round(pkg_prices[p] * discount, -3))
                    )
                    current = [pid, d + pkg_days[p], {sid: [total, 0] for sid, total in items.items()}]
                if current is not None:
                    left = [sid for sid, (t, u) in current[2].items() if u < t]
                    preferred = [sid for sid in left if sid in favs]
                    sid = prng.choice(preferred if preferred and prng.random() < 0.8 else left)
                    current[2][sid][1] += 1
                    s_service[i], s_purchase[i] = sid, current[0]
                else:
                    s_service[i] = favs[0] if prng.random() < 0.6 else prng.choice(favs)
            progress(1)
        # balances from the redemptions themselves (one source of truth for ``used``)
        bal_used: dict[tuple[int, int], int] = {}
        for pid, sid in zip(s_purchase.tolist(), s_service.tolist(), strict=True):
            if pid:
                bal_used[(pid, sid)] = bal_used.get((pid, sid), 0) + 1
        balances: list[tuple] = []
        pkg_by_id = {p.pk: items for p, items in packages}
        purchase_frame_rows = []
        for pid, cid, pkg_id, d, expiry, price in purchases:
            used_any = 0
            for sid, total in pkg_by_id[pkg_id].items():
                used = bal_used.get((pid, sid), 0)
                used_any += used
                balances.append((pid, sid, total, used))
            status = PurchaseStatus.ACTIVE
            total_any = sum(pkg_by_id[pkg_id].values())
            # a customer who quit early asks for a refund of an expired, mostly unused package
            if expiry < epoch_end and used_any < 0.3 * total_any and prng.random() < 0.5:
                status = PurchaseStatus.REFUNDED
            purchase_frame_rows.append((pid, cid, pkg_id, d, expiry, price, status))

        _insert_customers(
            cids=cids,
            rng=rng,
            prng=prng,
            names=names,
            addresses=addresses,
            reg_seconds=reg_seconds[sl],
            overseas=overseas[sl],
            fav=fav_chunk,
            slot=slot[sl],
            pref_dows=pref_dows[sl],
            staff=np.array(staff_ids)[assigned],
            as_of=as_of,
        )
        if purchase_frame_rows:
            pf = pd.DataFrame(
                purchase_frame_rows,
                columns=["id", "customer_id", "package_id", "purchase_day", "expiry_day", "price_paid", "status"],
            )
            created = (pf["purchase_day"].to_numpy() * 86400 + 3600).astype("datetime64[s]")
            frame = pd.DataFrame(
                {
                    "id": pf["id"],
                    "customer_id": pf["customer_id"],
                    "package_id": pf["package_id"],
                    "purchase_date": dates_sql(pf["purchase_day"].to_numpy().astype("datetime64[D]")),
                    "expiry_date": dates_sql(pf["expiry_day"].to_numpy().astype("datetime64[D]")),
                    "price_paid": pf["price_paid"].astype(np.int64),
                    "status": pf["status"].astype(str),
                    "sold_by_id": np.array(staff_ids)[rng.integers(0, len(staff_ids), len(pf))],
                    "created_at": datetimes_sql(created),
                }
            )
            result.purchases += bulk_insert(PackagePurchase, frame)
            bf = pd.DataFrame(balances, columns=["purchase_id", "service_id", "total", "used"])
            result.balances += bulk_insert(PackageBalance, bf)
        sessions = pd.DataFrame(
            {
                "id": np.arange(session_next, session_next + len(row)),
                "customer_id": cids[row],
                "service_id": s_service,
                "staff_id": staff_col,
                "purchase_id": pd.array(np.where(s_purchase > 0, s_purchase, 0), dtype="Int64"),
                "service_date": dates_sql(day.astype("datetime64[D]")),
                "start_time": [f"{h:02d}:{m:02d}:00" for h, m in zip(hour.tolist(), minute.tolist(), strict=True)],
                "duration_minutes": [durations[s] for s in s_service.tolist()],
                "satisfaction_rating": pd.array(np.where(rated, rating, 0), dtype="Int64"),
                "session_notes": np.where(has_note, np.array(NOTES)[note_pick], ""),
                # recorded an hour after the start, KST → UTC
                "created_at": datetimes_sql((day.astype(np.int64) * 86400 + (hour - 8) * 3600).astype("datetime64[s]")),
            }
        )
        sessions.loc[s_purchase == 0, "purchase_id"] = pd.NA
        sessions.loc[~rated, "satisfaction_rating"] = pd.NA
        session_next += len(row)
        result.sessions += bulk_insert(ServiceSession, sessions)
        result.metrics += _insert_metrics(cids=cids, row=row, day=day, beh=beh, rng=rng)
        result.customers += n
    reset_sequences(Customer, CustomerPreference, PackagePurchase, PackageBalance, ServiceSession, HealthMetric)
    result.customer_ids = ids
    result.customer_created = reg_seconds.astype("datetime64[s]")
    result.overseas = overseas
    return result


def _insert_customers(
    *,
    cids: np.ndarray,
    rng: np.random.Generator,
    prng: random.Random,
    names: list[str],
    addresses: list[str],
    reg_seconds: np.ndarray,
    overseas: np.ndarray,
    fav: np.ndarray,
    slot: np.ndarray,
    pref_dows: np.ndarray,
    staff: np.ndarray,
    as_of: dt.date,
) -> None:
    n = len(cids)
    gender = rng.choice(["female", "male"], n, p=[0.62, 0.38])
    birth = rng.integers(1958, 2004, n)
    phone = [f"010-{a:04d}-{b:04d}" for a, b in zip(rng.integers(2000, 9999, n), rng.integers(0, 9999, n), strict=True)]
    emergency = [
        f"010-{a:04d}-{b:04d}" for a, b in zip(rng.integers(2000, 9999, n), rng.integers(0, 9999, n), strict=True)
    ]
    domains = np.array(["example.com", "example.net", "example.org"])
    email = [f"user{c}@{d}" for c, d in zip(cids.tolist(), domains[rng.integers(0, 3, n)].tolist(), strict=True)]
    goals = [", ".join(prng.sample(GOALS, prng.choice([1, 2, 2, 3]))) for _ in range(n)]
    slots = [
        [SLOTS[s]] + (["weekend"] if (d[0] >= 5 or d[1] >= 5) else [])
        for s, d in zip(slot.tolist(), pref_dows.tolist(), strict=True)
    ]
    countries = np.array(["미국", "캐나다", "호주", "일본", "싱가포르"])
    frame = pd.DataFrame(
        {
            "id": cids,
            "name": np.array(names, dtype=object)[rng.integers(0, len(names), n)],
            "phone": phone,
            "email": email,
            "birth_year": birth,
            "gender": gender,
            "address": np.array(addresses, dtype=object)[rng.integers(0, len(addresses), n)],
            "emergency_contact": emergency,
            "occupation": np.array(OCCUPATIONS, dtype=object)[rng.integers(0, len(OCCUPATIONS), n)],
            "membership_level": "basic",
            "customer_status": "active",
            "health_goals": goals,
            "preferred_time_slots": [_json(s) for s in slots],
            "assigned_staff_id": staff,
            "country": np.where(overseas, countries[rng.integers(0, len(countries), n)], "대한민국"),
            "total_visits": 0,
            "total_revenue": 0,
            "risk_level": "stable",
            "created_at": datetimes_sql(reg_seconds.astype("datetime64[s]")),
            "updated_at": datetimes_sql(np.full(n, np.datetime64(as_of, "s"))),
        }
    )
    bulk_insert(Customer, frame)
    code_of = np.array(CODES)
    prefs = pd.DataFrame(
        {
            "customer_id": cids,
            "preferred_services": [_json(code_of[f[:2]].tolist()) for f in fav],
            "preferred_time": np.array(SLOTS)[slot],
            "preferred_intensity": rng.choice(["low", "medium", "high"], n, p=[0.3, 0.5, 0.2]),
            "health_interests": [
                _json(sorted({INTERESTS[code_of[f[0]]][0], INTERESTS[code_of[f[1]]][0]})) for f in fav
            ],
            "communication_preference": rng.choice(["kakao", "sms", "email", "phone"], n, p=[0.6, 0.2, 0.1, 0.1]),
            "marketing_consent": _bools(rng.random(n) < 0.55),
            "updated_at": datetimes_sql(np.full(n, np.datetime64(as_of, "s"))),
        }
    )
    bulk_insert(CustomerPreference, prefs)


def _insert_metrics(
    *, cids: np.ndarray, row: np.ndarray, day: np.ndarray, beh: np.ndarray, rng: np.random.Generator
) -> int:
    """About monthly self-reports for customers with 3+ visits, improving with visits."""
    count = np.bincount(row, minlength=len(cids))
    first_idx = np.concatenate([[0], np.cumsum(count)[:-1]])
    out_c, out_m, out_v, out_d = [], [], [], []
    base = {
        "stress_level": rng.normal(6.8, 1.1, len(cids)),
        "sleep_quality": rng.normal(4.6, 1.1, len(cids)),
        "focus_level": rng.normal(5.0, 1.0, len(cids)),
        "energy_level": rng.normal(4.8, 1.0, len(cids)),
    }
    direction = {"stress_level": -1, "sleep_quality": 1, "focus_level": 1, "energy_level": 1}
    for c in np.nonzero(count >= 3)[0]:
        days = day[first_idx[c] : first_idx[c] + count[c]]
        points = np.arange(days[0], days[-1] + 1, 30)
        attended = np.searchsorted(days, points, side="right")
        gain = np.minimum(attended, 24) * 0.11 * (0.4 if beh[c] == 2 else 1.0)
        for metric in METRICS:
            values = base[metric][c] + direction[metric] * gain + rng.normal(0, 0.5, len(points))
            out_c.append(np.full(len(points), cids[c]))
            out_m.append(np.full(len(points), metric))
            out_v.append(np.clip(values, 1, 10).round(1))
            out_d.append(points)
    if not out_c:
        return 0
    frame = pd.DataFrame(
        {
            "customer_id": np.concatenate(out_c),
            "metric": np.concatenate(out_m),
            "value": np.concatenate(out_v),
            "measured_on": dates_sql(np.concatenate(out_d).astype("datetime64[D]")),
            "source": "self_report",
            "note": "",
        }
    )
    return bulk_insert(HealthMetric, frame)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _bools(values: np.ndarray) -> np.ndarray:
    """Booleans as each backend's bulk path reads them (COPY: true/false; SQLite: 1/0)."""
    return values if is_postgres() else values.astype(int)


def membership_assign(*, first_id: int) -> None:
    """Membership of the seeded customers (ids ≥ ``first_id``) from their spending, after the
    stats refresh: VIP ≥ 5,000,000 원, premium ≥ 2,000,000 원."""
    seeded = Customer.objects.filter(id__gte=first_id)
    seeded.filter(total_revenue__gte=5_000_000).update(membership_level="vip")
    seeded.filter(total_revenue__gte=2_000_000, total_revenue__lt=5_000_000).update(membership_level="premium")


def status_assign(*, as_of: dt.date, first_id: int) -> None:
    """Status of the seeded customers: dormant after 90 days without a visit, inactive after 365."""
    seeded = Customer.objects.filter(id__gte=first_id)
    seeded.filter(last_visit_date__lt=as_of - dt.timedelta(days=90)).update(customer_status="dormant")
    seeded.filter(last_visit_date__lt=as_of - dt.timedelta(days=365)).update(customer_status="inactive")
