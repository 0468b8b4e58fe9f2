"""The database itself refuses bad rows written directly (not through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from customers.models import Customer, HealthMetric, PackageBalance, PackagePurchase, Service, ServiceSession
from customers.testing.factories import (
    CustomerFactory,
    HealthMetricFactory,
    PackageFactory,
    PackagePurchaseFactory,
    RecommendationFeedbackFactory,
    ServiceFactory,
    ServiceSessionFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_balance_stays_between_zero_and_total():
    purchase = PackagePurchaseFactory(package=PackageFactory(items={"brain": 2}))
    balance = PackageBalance.objects.get(purchase=purchase)
    refused(lambda: PackageBalance.objects.filter(pk=balance.pk).update(used=3))
    refused(lambda: PackageBalance.objects.filter(pk=balance.pk).update(used=-1))
    refused(
        lambda: PackageBalance.objects.create(purchase=purchase, service=ServiceFactory(code="red"), total=1, used=2)
    )
    refused(lambda: PackageBalance.objects.create(purchase=purchase, service=balance.service, total=5))  # duplicate
    balance.refresh_from_db()
    assert (balance.used, balance.total) == (0, 2)


def test_ratings_in_range():
    session = ServiceSessionFactory()
    refused(lambda: ServiceSession.objects.filter(pk=session.pk).update(satisfaction_rating=6))
    refused(lambda: ServiceSession.objects.filter(pk=session.pk).update(satisfaction_rating=0))
    feedback = RecommendationFeedbackFactory()
    refused(lambda: type(feedback).objects.filter(pk=feedback.pk).update(feedback_score=9))
    customer = CustomerFactory()
    refused(lambda: Customer.objects.filter(pk=customer.pk).update(average_satisfaction=Decimal("5.5")))


def test_money_non_negative_and_dates_ordered():
    purchase = PackagePurchaseFactory()
    refused(lambda: PackagePurchase.objects.filter(pk=purchase.pk).update(price_paid=-1))
    refused(
        lambda: PackagePurchase.objects.filter(pk=purchase.pk).update(
            expiry_date=purchase.purchase_date - dt.timedelta(days=1)
        )
    )
    service = ServiceFactory(code="pulse")
    refused(lambda: Service.objects.filter(pk=service.pk).update(price=-100))
    refused(lambda: type(purchase.package).objects.filter(pk=purchase.package_id).update(price=-1))
    refused(lambda: Customer.objects.filter(pk=purchase.customer_id).update(total_revenue=-1))
    metric = HealthMetricFactory()
    refused(lambda: HealthMetric.objects.filter(pk=metric.pk).update(value=-2))


def test_external_id_unique():
    CustomerFactory(external_id="17850")
    refused(lambda: CustomerFactory(external_id="17850"))
