"""The search's denormalised columns (service masks, package expiries) give exactly the
customers that the live rows say, on any date, after writes through the services."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.principal import system_principal
from customers.models import Customer, PackageBalance, PackagePurchase, PurchaseStatus, ServiceSession
from customers.selectors.search import EXPIRING_DAYS, SearchParams, customer_search, customer_search_queryset
from customers.selectors.stats import customer_stats_derived, customer_stats_stored
from customers.services.packages import package_purchase_cancel, package_purchase_create, package_purchase_extend
from customers.services.sessions import session_record
from customers.testing.factories import (
    CustomerFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
    ServiceSessionFactory,
)

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db
CODES = ("brain", "pulse", "lymph", "red", "ai_bike")


def _reference_ids(*, service_filter: tuple[str, ...], package_status: str | None, today: dt.date) -> set[int]:
    """The filters as the live rows define them (the selector before denormalisation)."""
    qs: QuerySet[Customer] = Customer.objects.all()
    active = PackagePurchase.objects.filter(
        customer_id=OuterRef("pk"), status=PurchaseStatus.ACTIVE, expiry_date__gte=today
    )
    if service_filter:
        used = ServiceSession.objects.filter(customer_id=OuterRef("pk"), service__code__in=service_filter)
        held = PackageBalance.objects.filter(
            purchase__customer_id=OuterRef("pk"),
            purchase__status=PurchaseStatus.ACTIVE,
            purchase__expiry_date__gte=today,
            service__code__in=service_filter,
        )
        qs = qs.filter(Exists(used) | Exists(held))
    if package_status == "active":
        qs = qs.filter(Exists(active))
    elif package_status == "expiring":
        qs = qs.filter(Exists(active.filter(expiry_date__lte=today + dt.timedelta(days=EXPIRING_DAYS))))
    elif package_status == "expired":
        expired = PackagePurchase.objects.filter(
            customer_id=OuterRef("pk"), status=PurchaseStatus.ACTIVE, expiry_date__lt=today
        )
        qs = qs.filter(Exists(expired) & ~Exists(active))
    return set(qs.values_list("id", flat=True))


def _search_ids(*, service_filter: tuple[str, ...], package_status: str | None, today: dt.date) -> set[int]:
    params = SearchParams(service_filter=service_filter, package_status=package_status)
    return set(customer_search_queryset(params=params, today=today).values_list("id", flat=True))


@pytest.fixture
def mixed(catalog_services) -> dict:
    """Customers covering every branch: never bought; used but no package; one unexpired
    package; expired and unexpired packages holding different services; all expired;
    exhausted; refunded; a package holding a service never used."""
    today = timezone.localdate()
    brain_red = PackageFactory(name="브레인+레드", items={"brain": 5, "red": 5}, validity_days=90)
    lymph = PackageFactory(name="림프", items={"lymph": 5}, validity_days=90)
    pulse = PackageFactory(name="펄스", items={"pulse": 3}, validity_days=30)
    out: dict = {"today": today}
    out["none"] = CustomerFactory()
    out["used_only"] = CustomerFactory()
    ServiceSessionFactory(customer=out["used_only"], service=catalog_services["ai_bike"])
    out["fresh"] = CustomerFactory()
    PackagePurchaseFactory(customer=out["fresh"], package=brain_red, expiry_date=today + dt.timedelta(days=60))
    out["mixed"] = CustomerFactory()  # brain+red expired, lymph valid until today + 10
    PackagePurchaseFactory(
        customer=out["mixed"],
        package=brain_red,
        purchase_date=today - dt.timedelta(days=200),
        expiry_date=today - dt.timedelta(days=1),
    )
    PackagePurchaseFactory(
        customer=out["mixed"], package=lymph, purchase_date=today - dt.timedelta(days=5), expiry_date=today
    )
    out["all_expired"] = CustomerFactory()
    PackagePurchaseFactory(
        customer=out["all_expired"],
        package=pulse,
        purchase_date=today - dt.timedelta(days=100),
        expiry_date=today - dt.timedelta(days=30),
    )
    ServiceSessionFactory(customer=out["all_expired"], service=catalog_services["pulse"])
    out["exhausted"] = CustomerFactory()
    PackagePurchaseFactory(
        customer=out["exhausted"], package=pulse, expiry_date=today + dt.timedelta(days=20), used={"pulse": 3}
    )
    out["refunded"] = CustomerFactory()
    PackagePurchaseFactory(
        customer=out["refunded"],
        package=lymph,
        status=PurchaseStatus.REFUNDED,
        expiry_date=today + dt.timedelta(days=5),
    )
    return out


@pytest.fixture
def catalog_services(db) -> dict:
    return {code: ServiceFactory(code=code) for code in CODES}


def test_filters_equal_the_live_rows_on_every_date(mixed):
    today = mixed["today"]
    filters = [(), ("brain",), ("lymph",), ("pulse",), ("brain", "pulse"), ("ai_bike",), ("red", "lymph")]
    # the stored columns do not depend on the date: the same rows answer yesterday, today, later
    for offset, service_filter, status in itertools.product(
        (-40, -1, 0, 1, 10, 11, 25, 61), filters, (None, "active", "expiring", "expired")
    ):
        day = today + dt.timedelta(days=offset)
        expected = _reference_ids(service_filter=service_filter, package_status=status, today=day)
        got = _search_ids(service_filter=service_filter, package_status=status, today=day)
        assert got == expected, (offset, service_filter, status)


def test_expiry_edges(mixed):
    today = mixed["today"]

    def ids(status: str, day: dt.date = today) -> set[int]:
        return _search_ids(service_filter=(), package_status=status, today=day)

    # expires today = still active (inclusive), and expiring
    assert mixed["mixed"].pk in ids("active") and mixed["mixed"].pk in ids("expiring")
    assert mixed["mixed"].pk in ids("expired", today + dt.timedelta(days=1))
    # an exhausted package (every session used) still counts as active until it expires, as the
    # page's package summary shows it ("펄3/3")
    assert mixed["exhausted"].pk in ids("active")
    # a refunded purchase is neither active nor expired
    assert mixed["refunded"].pk not in ids("active") | ids("expired")
    assert ids("expired") == {mixed["all_expired"].pk}
    # lymph is held only through the purchase expiring today: held today, gone tomorrow
    held = _search_ids(service_filter=("lymph",), package_status=None, today=today)
    assert mixed["mixed"].pk in held
    assert mixed["mixed"].pk not in _search_ids(
        service_filter=("lymph",), package_status=None, today=today + dt.timedelta(days=1)
    )
    # brain was only in the expired purchase and never used
    assert mixed["mixed"].pk not in _search_ids(service_filter=("brain",), package_status=None, today=today)


def test_columns_follow_service_writes(catalog_services):
    today = timezone.localdate()
    package = PackageFactory(name="펄스+림프", items={"pulse": 2, "lymph": 2}, validity_days=30)
    customer = CustomerFactory()
    ids = [customer.pk]
    purchase = package_purchase_create(
        actor=ACTOR, customer=customer, package=package, purchase_date=today - dt.timedelta(days=30)
    )
    assert customer_stats_stored(customer_ids=ids) == customer_stats_derived(customer_ids=ids)
    for _ in range(2):  # exhaust pulse through the package
        session_record(
            actor=ACTOR, customer=customer, service=catalog_services["pulse"], service_date=today, purchase=purchase
        )
    stored = customer_stats_stored(customer_ids=ids)
    assert stored == customer_stats_derived(customer_ids=ids)
    assert stored[customer.pk]["last_package_expiry"] == today  # bought 30 days ago, 30 days valid
    assert customer.pk in _search_ids(service_filter=("lymph",), package_status="active", today=today)
    assert customer.pk not in _search_ids(
        service_filter=("lymph",), package_status="active", today=today + dt.timedelta(days=1)
    )
    package_purchase_extend(actor=ACTOR, purchase=purchase, days=7, reason="휴가")
    stored = customer_stats_stored(customer_ids=ids)
    assert stored == customer_stats_derived(customer_ids=ids)
    assert stored[customer.pk]["held_until"]["lymph"] == today + dt.timedelta(days=7)
    assert customer.pk in _search_ids(
        service_filter=("lymph",), package_status="expiring", today=today + dt.timedelta(days=1)
    )
    package_purchase_cancel(actor=ACTOR, purchase=purchase, reason="환불")
    stored = customer_stats_stored(customer_ids=ids)
    assert stored == customer_stats_derived(customer_ids=ids)
    assert stored[customer.pk]["last_package_expiry"] is None
    assert set(stored[customer.pk]["held_until"].values()) == {None}
    assert customer.pk not in _search_ids(service_filter=("lymph",), package_status=None, today=today)
    assert customer.pk in _search_ids(service_filter=("pulse",), package_status=None, today=today)


@pytest.mark.parametrize("size", [1, 20])
def test_query_count_does_not_depend_on_matches_or_page_size(mixed, django_assert_num_queries, size):
    # COUNT, the page, the page's package balances
    params = SearchParams(service_filter=("lymph", "pulse"), package_status="active", size=size, sort_by="revenue")
    with django_assert_num_queries(3):
        data = customer_search(params=params, today=mixed["today"])
    assert data["pagination"]["total"] == 2  # mixed (lymph until today), exhausted (pulse)
