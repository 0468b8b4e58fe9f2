"""customer_create / customer_delete."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import timezone

from accounts.models import AuditLog
from accounts.principal import system_principal
from core.errors import ApiError
from customers.models import (
    Customer,
    CustomerPreference,
    CustomerStatus,
    HealthMetric,
    ServiceSession,
    VoidedSession,
)
from customers.services.customers import ANONYMISED_NAME, customer_create, customer_delete, customer_has_history
from customers.services.sessions import session_void
from customers.testing.factories import (
    CustomerFactory,
    CustomerPreferenceFactory,
    HealthMetricFactory,
    ServiceSessionFactory,
)

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db


def test_create_with_preferences_audits_field_names_only():
    customer = customer_create(
        actor=ACTOR,
        data={
            "name": "김영희",
            "phone": "010-1234-5678",
            "email": "kim@example.com",
            "membership_level": "vip",
            "preferred_time_slots": ["morning"],
            "preferences": {"preferred_services": ["brain"], "marketing_consent": True},
        },
    )
    assert customer.pk and customer.membership_level == "vip"
    assert customer.preference.preferred_services == ["brain"] and customer.preference.marketing_consent is True
    row = AuditLog.objects.get(action="create", query__entity="customer")
    assert row.customer_ids == [customer.pk]
    assert row.query["fields"] == ["email", "membership_level", "name", "phone", "preferred_time_slots"]
    assert "김영희" not in str(row.query) and "010-1234-5678" not in str(row.query)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "김", "membership_level": "gold"}, "membership_level"),
        ({"name": "김", "email": "not-an-email"}, "email"),
        ({"name": "김", "total_visits": 5}, "unknown_fields"),
    ],
)
def test_create_refuses_invalid_data(data, field):
    with pytest.raises(ApiError) as exc:
        customer_create(actor=ACTOR, data=data)
    assert exc.value.code == "VALIDATION_ERROR"
    assert field in exc.value.details
    assert Customer.objects.count() == 0 and AuditLog.objects.count() == 0


def test_delete_without_history_deletes():
    customer = CustomerFactory()
    CustomerPreferenceFactory(customer=customer)
    assert customer_delete(actor=ACTOR, customer=customer) == "deleted"
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert CustomerPreference.objects.count() == 0
    assert AuditLog.objects.get(action="delete").customer_ids == [customer.pk]


def test_delete_with_history_anonymises_and_drops_health_data():
    customer = CustomerFactory(name="박민수", phone="010-2222-3333", health_goals="수면 개선")
    CustomerPreferenceFactory(customer=customer)
    HealthMetricFactory(customer=customer)
    session = ServiceSessionFactory(customer=customer, service_date=timezone.localdate(), session_notes="두통 호소")

    assert customer_delete(actor=ACTOR, customer=customer) == "anonymised"

    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.health_goals) == (ANONYMISED_NAME, "", "")
    assert customer.customer_status == CustomerStatus.INACTIVE
    assert HealthMetric.objects.count() == 0 and CustomerPreference.objects.count() == 0
    session.refresh_from_db()
    assert session.session_notes == "" and ServiceSession.objects.count() == 1
    assert AuditLog.objects.get(action="delete").query["outcome"] == "anonymised"


def test_a_voided_session_is_history_too():
    customer = CustomerFactory(name="취소만있음")
    session = ServiceSessionFactory(customer=customer, service_date=timezone.localdate())
    session_void(actor=ACTOR, session=session, reason="잘못 기록")
    assert not ServiceSession.objects.filter(customer=customer).exists()
    assert customer_has_history(customer)
    assert customer_delete(actor=ACTOR, customer=customer) == "anonymised"  # not a ProtectedError
    assert VoidedSession.objects.filter(customer=customer).count() == 1


def test_history_covers_every_row_that_protects_a_customer():
    protecting = {
        rel.get_accessor_name()
        for rel in Customer._meta.related_objects
        if getattr(rel, "on_delete", None) is models.PROTECT
    }
    # a new PROTECT link to Customer must be added to customer_has_history (or deletion is a 500)
    assert protecting == {"purchases", "sessions", "voided_sessions", "orders"}
