"""Customer search (seed 004 §4.1): set-based filters over the denormalised customer
columns, one COUNT, one page query and one query for the page's package balances.

The query count does not depend on the page size or the number of matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.numbers import money_number
from core.pagination import pagination
from customers.models import HELD_UNTIL_FIELDS, SERVICE_BITS, Customer, PackageBalance, PackagePurchase, PurchaseStatus
from customers.search_terms import search_term_filter, with_search_columns

from .detail import membership_label

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
EXPIRING_DAYS = 14
TEXT_MATCH_LIMIT = 2000

# One Korean syllable per service for package_usage_summary ("브5/10 펄3/10").
SERVICE_ABBREVIATIONS = {"brain": "브", "pulse": "펄", "lymph": "림", "red": "레", "ai_bike": "바"}
SERVICE_ORDER = ("brain", "pulse", "lymph", "red", "ai_bike")

SORT_FIELDS = {
    "name": "name",
    "last_visit": "last_visit_date",
    "total_visits": "total_visits",
    "revenue": "total_revenue",
}
NULLABLE_SORT_FIELDS = {"last_visit_date"}
PACKAGE_STATUSES = ("active", "expiring", "expired")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    service_filter: tuple[str, ...] = ()
    package_status: str | None = None
    membership_level: str | None = None
    risk_level: str | None = None
    last_visit_from: date | None = None
    last_visit_to: date | None = None
    sort_by: str = "last_visit"
    descending: bool = True
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    extra: dict = field(default_factory=dict)

    def filters_applied(self) -> dict:
        """The filters the caller set, normalised (seed 004 ``filters_applied``)."""
        out: dict = {}
        if self.q:
            out["q"] = self.q
        if self.service_filter:
            out["service_filter"] = list(self.service_filter)
        for key in ("package_status", "membership_level", "risk_level", "last_visit_from", "last_visit_to"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat() if isinstance(value, date) else value
        return out


def _active_purchases(today: date) -> QuerySet[PackagePurchase]:
    return PackagePurchase.objects.filter(status=PurchaseStatus.ACTIVE, expiry_date__gte=today)


def customer_search_queryset(*, params: SearchParams, today: date, unmasked: bool = False) -> QuerySet[Customer]:
    """The filtered, sorted queryset (no page applied). ``unmasked``: the caller sees unmasked
    values, so ``q`` may match parts of them (customers/search_terms.py has the rules)."""
    qs = Customer.objects.all()
    if params.q:
        qs = with_search_columns(qs).filter(search_term_filter(params.q, unmasked=unmasked))
    if params.service_filter:
        # customers who used (a session) or hold an unexpired balance of any listed service:
        # the session mask and the per-service latest expiry of the "active" purchases holding
        # it, kept by customer_stats_refresh (all on the row: the COUNT is an index-only scan).
        bits = 0
        held = Q()
        for code in params.service_filter:
            bits |= SERVICE_BITS.get(code, 0)
            if code in HELD_UNTIL_FIELDS:
                held |= Q(**{f"{HELD_UNTIL_FIELDS[code]}__gte": today})
        qs = qs.alias(_used_bits=F("used_services_mask").bitand(bits)).filter(Q(_used_bits__gt=0) | held)
    if params.package_status:
        # "active" purchase rows' max expiry >= today <=> one is unexpired; < today <=> all expired
        if params.package_status == "active":
            qs = qs.filter(last_package_expiry__gte=today)
        elif params.package_status == "expiring":
            window = _active_purchases(today).filter(expiry_date__lte=today + timedelta(days=EXPIRING_DAYS))
            qs = qs.filter(last_package_expiry__gte=today, id__in=window.values("customer_id"))
        elif params.package_status == "expired":
            qs = qs.filter(last_package_expiry__lt=today)
    if params.membership_level:
        qs = qs.filter(membership_level=params.membership_level.lower())
    if params.risk_level:
        qs = qs.filter(risk_level=params.risk_level)
    if params.last_visit_from:
        qs = qs.filter(last_visit_date__gte=params.last_visit_from)
    if params.last_visit_to:
        qs = qs.filter(last_visit_date__lte=params.last_visit_to)
    column = SORT_FIELDS[params.sort_by]
    if column in NULLABLE_SORT_FIELDS:
        order = F(column).desc(nulls_last=True) if params.descending else F(column).asc(nulls_last=True)
    else:
        # NOT NULL: a plain direction, which the (column, id) index serves in either direction
        order = F(column).desc() if params.descending else F(column).asc()
    tie = "-id" if params.descending else "id"
    return qs.order_by(order, tie)


def package_usage_summary(balances: list[tuple[str, int, int]]) -> str:
    """``[("brain", 5, 10), ("pulse", 3, 10)]`` → ``"브5/10 펄3/10"`` (used/total per service)."""
    rank = {code: i for i, code in enumerate(SERVICE_ORDER)}
    parts = sorted(balances, key=lambda b: rank.get(b[0], 99))
    return " ".join(f"{SERVICE_ABBREVIATIONS.get(code, code)}{used}/{total}" for code, used, total in parts)


def _page_packages(*, customer_ids: list[int], today: date) -> dict[int, dict]:
    """For each customer on the page, the newest active purchase and its balances (one query)."""
    rows = (
        PackageBalance.objects.filter(
            purchase__customer_id__in=customer_ids,
            purchase__status=PurchaseStatus.ACTIVE,
            purchase__expiry_date__gte=today,
        )
        .order_by("purchase__customer_id", "-purchase__purchase_date", "-purchase_id")
        .values_list(
            "purchase__customer_id", "purchase_id", "purchase__package__name", "service__code", "used", "total"
        )
    )
    out: dict[int, dict] = {}
    for customer_id, purchase_id, package_name, code, used, total in rows:
        entry = out.get(customer_id)
        if entry is None:
            entry = out[customer_id] = {"purchase_id": purchase_id, "name": package_name, "balances": []}
        if entry["purchase_id"] == purchase_id:
            entry["balances"].append((code, used, total))
    return out


ROW_FIELDS = (
    "id",
    "name",
    "phone",
    "first_visit_date",
    "last_visit_date",
    "total_visits",
    "membership_level",
    "risk_level",
    "total_revenue",
)


def customer_search(*, params: SearchParams, today: date | None = None, unmasked: bool = False) -> dict:
    """Seed 004 §4.1 ``data`` (unmasked values; the view masks them): customers, pagination,
    filters_applied. ``unmasked`` chooses the matching rules of ``q`` (search_terms.py)."""
    today = today or timezone.localdate()
    qs = customer_search_queryset(params=params, today=today, unmasked=unmasked)
    start = (params.page - 1) * params.size
    page_qs = qs
    if params.q:
        # A text term's selectivity is unknown to the planner ('%김민%' matches 1 or 1,000):
        # walking the sort index until a page is found costs a full scan for a rare term. So
        # collect the matching ids first (unordered: the name/phone index alone), which also
        # gives the exact total, and sort only those. A broad term (> TEXT_MATCH_LIMIT) falls
        # back to COUNT + the index walk, which finds a page quickly when matches are dense.
        ids = list(qs.order_by().values_list("id", flat=True)[: TEXT_MATCH_LIMIT + 1])
        if len(ids) <= TEXT_MATCH_LIMIT:
            total = len(ids)
            page_qs = qs.model.objects.filter(pk__in=ids).order_by(*qs.query.order_by)
        else:
            total = qs.count()
    else:
        total = qs.count()
    rows = list(page_qs.values(*ROW_FIELDS)[start : start + params.size]) if start < total else []
    packages = _page_packages(customer_ids=[r["id"] for r in rows], today=today) if rows else {}
    customers = []
    for row in rows:
        package = packages.get(row["id"])
        customers.append(
            {
                "customer_id": row["id"],
                "name": row["name"],
                "phone": row["phone"],
                "first_visit_date": row["first_visit_date"],
                "last_visit_date": row["last_visit_date"],
                "total_visits": row["total_visits"],
                "active_package": package["name"] if package else None,
                "package_usage_summary": package_usage_summary(package["balances"]) if package else None,
                "membership_level": membership_label(row["membership_level"]),
                "risk_level": row["risk_level"],
                "total_revenue": money_number(row["total_revenue"]),
            }
        )
    return {
        "customers": customers,
        "pagination": pagination(total=total, page=params.page, size=params.size),
        "filters_applied": params.filters_applied(),
    }
