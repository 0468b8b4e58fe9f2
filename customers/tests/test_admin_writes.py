"""The center's admin writes through ``accounts.backoffice.writes``: a service's refusal on an
add page (the form again, the user's values kept, nothing saved) and deletion of selected
customers through ``customer_delete``."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from accounts.principal import system_principal
from customers.models import Customer, PackageBalance, PackagePurchase, ServiceSession
from customers.services.sessions import session_void
from customers.testing.factories import (
    CustomerFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
    ServiceSessionFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_selling_a_withdrawn_package_shows_why_keeps_the_input_and_saves_nothing(backoffice_client_for):
    staff = backoffice_client_for("STAFF")
    customer = CustomerFactory()
    package = PackageFactory(name="브레인 10회", is_active=False)
    response = staff.post(
        reverse("admin:customers_packagepurchase_add"),
        {"customer": customer.pk, "package": package.pk, "purchase_date": "2026-11-02", "price_paid": "123000"},
    )
    assert response.status_code == 200
    assert messages_of(response) == [("error", "저장하지 못했습니다: '브레인 10회' 패키지는 판매가 중지되었습니다")]
    initial = response.context["adminform"].form.initial
    assert (initial["customer"], initial["package"], initial["price_paid"]) == (
        str(customer.pk),
        str(package.pk),
        "123000",
    )
    assert PackagePurchase.objects.count() == 0
    assert not AuditLog.objects.filter(action="create").exists()


def test_recording_a_session_outside_the_package_says_so_and_redeems_nothing(backoffice_client_for):
    staff = backoffice_client_for("STAFF")
    customer = CustomerFactory()
    purchase = PackagePurchaseFactory(customer=customer, package=PackageFactory(items={"brain": 10}))
    red = ServiceFactory(code="red")
    response = staff.post(
        reverse("admin:customers_servicesession_add"),
        {
            "customer": customer.pk,
            "service": red.pk,
            "purchase": purchase.pk,
            "service_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith("세션을 기록하지 못했습니다: ")
    assert "포함되어 있지 않습니다" in text
    assert response.context["adminform"].form.initial["service"] == str(red.pk)
    assert ServiceSession.objects.count() == 0
    assert list(PackageBalance.objects.filter(purchase=purchase).values_list("used", flat=True)) == [0]


def test_deleting_selected_customers_goes_through_the_service(backoffice_client_for):
    admin = backoffice_client_for("ADMIN")
    first, second = CustomerFactory(), CustomerFactory()
    response = admin.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk__in=[first.pk, second.pk]).exists()
    # one row each, written by customer_delete (not the mixin's generic model/object_ids row)
    rows = AuditLog.objects.filter(action="delete")
    assert sorted((row.customer_ids, row.query) for row in rows) == sorted(
        [
            ([first.pk], {"entity": "customer", "outcome": "deleted"}),
            ([second.pk], {"entity": "customer", "outcome": "deleted"}),
        ]
    )


def test_a_customer_with_history_is_anonymised_from_the_delete_page(backoffice_client_for):
    admin = backoffice_client_for("ADMIN")
    kept = CustomerFactory(name="이력있음")
    PackagePurchaseFactory(customer=kept)
    url = reverse("admin:customers_customer_delete", args=[kept.pk])
    page = admin.get(url)
    # the confirmation says what the service will do; Django's "cannot delete" list does not block it
    assert page.status_code == 200
    assert not page.context["protected"] and not page.context["perms_lacking"]
    assert "익명 처리" in page.content.decode()
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.name != "이력있음" and kept.customer_status == "inactive"
    assert PackagePurchase.objects.filter(customer=kept).count() == 1
    assert ("warning", "이용 이력이 있어 삭제 대신 개인정보를 익명 처리했습니다 (거래 기록 보존).") in messages_of(
        response
    )
    [row] = AuditLog.objects.filter(action="delete")
    assert (row.customer_ids, row.query) == ([kept.pk], {"entity": "customer", "outcome": "anonymised"})


def test_deleting_selected_customers_with_and_without_history(backoffice_client_for):
    admin = backoffice_client_for("ADMIN")
    kept, gone = CustomerFactory(), CustomerFactory()
    PackagePurchaseFactory(customer=kept)
    changelist = reverse("admin:customers_customer_changelist")
    confirm = admin.post(changelist, {"action": "delete_selected", "_selected_action": [kept.pk, gone.pk]})
    assert confirm.status_code == 200 and not confirm.context["protected"]
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [kept.pk, gone.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert list(Customer.objects.values_list("pk", flat=True)) == [kept.pk]
    outcomes = sorted(AuditLog.objects.filter(action="delete").values_list("query__outcome", flat=True))
    assert outcomes == ["anonymised", "deleted"]


def test_a_customer_with_only_a_voided_session_is_anonymised_not_a_server_error(backoffice_client_for):
    admin = backoffice_client_for("ADMIN")
    customer = CustomerFactory(name="취소만있음")
    session = ServiceSessionFactory(customer=customer, service_date=timezone.localdate())
    session_void(actor=system_principal("test"), session=session, reason="잘못 기록")
    url = reverse("admin:customers_customer_delete", args=[customer.pk])
    assert "익명 처리" in admin.get(url).content.decode()
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name != "취소만있음"


def test_a_failing_delete_leaves_the_whole_selection_as_it_was(backoffice_client_for, monkeypatch):
    admin = backoffice_client_for("ADMIN")
    first, second = CustomerFactory(), CustomerFactory()
    from customers.admin import customers as customers_admin

    real = customers_admin.customer_delete

    def delete_then_fail(*, actor, customer, request=None):
        if customer.pk == second.pk:
            raise RuntimeError("crash in the middle of the selection")
        return real(actor=actor, customer=customer, request=request)

    monkeypatch.setattr(customers_admin, "customer_delete", delete_then_fail)
    admin.raise_request_exception = False
    response = admin.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 500
    assert Customer.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not AuditLog.objects.filter(action="delete").exists()
