"""factory_boy factories for the wellness center (Faker ``ko_KR``).

Used by every app's tests, e.g.::

    from customers.testing.factories import CustomerFactory, PackagePurchaseFactory
    purchase = PackagePurchaseFactory(customer=CustomerFactory())  # balances from the package items

``ServiceFactory`` reuses the catalog row of a code (``django_get_or_create``), so tests can ask
for ``ServiceFactory(code="brain")`` repeatedly; its fields come from ``customers.catalog``, the
catalogue ``seed_demo`` loads too. Users come from ``accounts.testing.factories.UserFactory``.

The denormalised figures of ``Customer`` are not set by the factories: call ``customers.services.stats.customer_stats_refresh`` after building
sessions/purchases directly, or use the services. The search columns (service masks, package
expiries) are: the purchase, balance and session factories refresh them, so a search test sees
what the rows say while keeping the visit figures it set by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from faker import Faker

from customers.catalog import SERVICE_BY_CODE
from customers.models import (
    CommunicationPreference,
    Customer,
    CustomerPreference,
    CustomerStatus,
    FeedbackAction,
    Gender,
    HealthMetric,
    HealthMetricType,
    MembershipLevel,
    Package,
    PackageBalance,
    PackageItem,
    PackagePurchase,
    PurchaseStatus,
    RecommendationFeedback,
    Service,
    ServiceSession,
    ServiceType,
    TimeSlot,
)

fake = Faker("ko_KR")


def _refresh_search_columns(customer_id: int) -> None:
    from customers.services.stats import customer_stats_refresh

    customer_stats_refresh(customer_ids=[customer_id], search_columns_only=True)


class ServiceFactory(DjangoModelFactory):
    """A catalog service; ``code`` picks one of the five, the rest follows the catalog."""

    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Iterator([c.value for c in ServiceType])
    name = factory.LazyAttribute(lambda o: SERVICE_BY_CODE[o.code].name)
    duration_minutes = factory.LazyAttribute(lambda o: SERVICE_BY_CODE[o.code].duration_minutes)
    price = factory.LazyAttribute(lambda o: Decimal(SERVICE_BY_CODE[o.code].price))
    goal_tags = factory.LazyAttribute(lambda o: list(SERVICE_BY_CODE[o.code].goal_tags))
    description = factory.LazyAttribute(lambda o: SERVICE_BY_CODE[o.code].description)
    expected_benefit = factory.LazyAttribute(lambda o: SERVICE_BY_CODE[o.code].expected_benefit)
    is_active = True


class PackageFactory(DjangoModelFactory):
    """A package. By default 10 brain sessions + 5 red sessions; pass ``items={"pulse": 3}`` to
    choose the composition (service code → sessions), or ``items={}`` for none."""

    class Meta:
        model = Package
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"웰니스 패키지 {n}")
    price = Decimal("450000")
    validity_days = 180
    description = "테스트 패키지"
    is_active = True

    @factory.post_generation
    def items(self, create: bool, extracted: dict[str, int] | None, **kwargs: object) -> None:
        if not create:
            return
        composition = {"brain": 10, "red": 5} if extracted is None else extracted
        for code, sessions in composition.items():
            PackageItem.objects.create(package=self, service=ServiceFactory(code=code), sessions=sessions)


class PackageItemFactory(DjangoModelFactory):
    class Meta:
        model = PackageItem

    package = factory.SubFactory(PackageFactory, items={})
    service = factory.SubFactory(ServiceFactory)
    sessions = 10


class CustomerFactory(DjangoModelFactory):
    """A customer with every seed-004 field filled (fake Korean personal data)."""

    class Meta:
        model = Customer

    name = factory.Faker("name", locale="ko_KR")
    phone = factory.Sequence(lambda n: f"010-{(n // 10000) % 10000:04d}-{n % 10000:04d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.kr")
    birth_year = factory.Faker("random_int", min=1955, max=2004)
    gender = factory.Iterator([Gender.FEMALE, Gender.MALE])
    address = factory.Faker("address", locale="ko_KR")
    emergency_contact = factory.Sequence(lambda n: f"010-9{(n // 1000) % 1000:03d}-{n % 10000:04d}")
    occupation = factory.Faker("job", locale="ko_KR")
    membership_level = MembershipLevel.BASIC
    customer_status = CustomerStatus.ACTIVE
    health_goals = "스트레스 관리, 수면 개선"
    preferred_time_slots = factory.LazyFunction(lambda: [TimeSlot.EVENING.value])
    assigned_staff = None
    external_id = None
    country = "대한민국"


class CustomerPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = CustomerPreference
        django_get_or_create = ("customer",)

    customer = factory.SubFactory(CustomerFactory)
    preferred_services = factory.LazyFunction(lambda: ["brain", "red"])
    preferred_time = TimeSlot.EVENING
    preferred_intensity = "medium"
    health_interests = factory.LazyFunction(lambda: ["스트레스", "수면"])
    communication_preference = CommunicationPreference.KAKAO
    marketing_consent = True


class PackagePurchaseFactory(DjangoModelFactory):
    """A purchase; balances are created from the package items (``used=0``) unless
    ``balances=False``. Use the ``used`` kwarg ({"brain": 3}) to pre-use sessions."""

    class Meta:
        model = PackagePurchase
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    package = factory.SubFactory(PackageFactory)
    purchase_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    expiry_date = factory.LazyAttribute(lambda o: o.purchase_date + dt.timedelta(days=o.package.validity_days))
    price_paid = factory.LazyAttribute(lambda o: o.package.price)
    status = PurchaseStatus.ACTIVE
    sold_by = None

    @factory.post_generation
    def balances(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        PackageBalance.objects.bulk_create(
            PackageBalance(purchase=self, service_id=item.service_id, total=item.sessions, used=0)
            for item in self.package.items.all()
        )

    @factory.post_generation
    def used(self, create: bool, extracted: dict[str, int] | None, **kwargs: object) -> None:
        if not create or not extracted:
            return
        for code, n in extracted.items():
            PackageBalance.objects.filter(purchase=self, service__code=code).update(used=n)

    @classmethod
    def _after_postgeneration(cls, instance: PackagePurchase, create: bool, results: dict | None = None) -> None:
        if create:
            _refresh_search_columns(instance.customer_id)


class PackageBalanceFactory(DjangoModelFactory):
    class Meta:
        model = PackageBalance
        django_get_or_create = ("purchase", "service")

    purchase = factory.SubFactory(PackagePurchaseFactory, balances=False)
    service = factory.SubFactory(ServiceFactory)
    total = 10
    used = 0

    @classmethod
    def _after_postgeneration(cls, instance: PackageBalance, create: bool, results: dict | None = None) -> None:
        if create:
            _refresh_search_columns(instance.purchase.customer_id)


class ServiceSessionFactory(DjangoModelFactory):
    """A session (no package redemption: this writes the row directly; use
    ``customers.services.sessions.session_record`` to redeem from a package)."""

    class Meta:
        model = ServiceSession

    customer = factory.SubFactory(CustomerFactory)
    service = factory.SubFactory(ServiceFactory)
    staff = None
    purchase = None
    service_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    start_time = dt.time(10, 0)
    duration_minutes = factory.LazyAttribute(lambda o: o.service.duration_minutes)
    satisfaction_rating = 4
    session_notes = "컨디션 양호"

    @classmethod
    def _after_postgeneration(cls, instance: ServiceSession, create: bool, results: dict | None = None) -> None:
        if create:
            _refresh_search_columns(instance.customer_id)


class HealthMetricFactory(DjangoModelFactory):
    class Meta:
        model = HealthMetric

    customer = factory.SubFactory(CustomerFactory)
    metric = HealthMetricType.STRESS
    value = Decimal("6.0")
    measured_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    source = "self_report"
    note = ""


class RecommendationFeedbackFactory(DjangoModelFactory):
    class Meta:
        model = RecommendationFeedback

    customer = factory.SubFactory(CustomerFactory)
    recommendation_id = factory.Sequence(lambda n: f"rec-{n:06d}")
    item_type = "service"
    item_key = "brain"
    action = FeedbackAction.ACCEPTED
    feedback_score = 5
    comment = "추천이 도움이 되었습니다"
    created_by = None
