"""The front desk's day (issue 17): void and correct a session (MANAGER+, reason, balance
restored, audited), "패키지 차감 없이 기록", the balances panel with D-day, selling and returning
to the customer, membership for ADMIN only, unmasked names for ADMIN, separators, refunds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.masking import mask_name
from accounts.models import AuditLog
from accounts.principal import principal_from_user
from core.errors import ApiError
from customers.models import Customer, PackageBalance, PackagePurchase, ServiceSession, VoidedSession
from customers.selectors.balances import customer_balances, d_day
from customers.services.profile import customer_update
from customers.services.sessions import session_correct, session_record, session_void
from customers.testing.factories import CustomerFactory, PackageFactory, PackagePurchaseFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


@pytest.fixture
def admin(backoffice_client_for):
    return backoffice_client_for("ADMIN")


@pytest.fixture
def desk(db):
    customer = CustomerFactory(name="이서우", phone="010-3723-1861", membership_level="basic")
    brain = ServiceFactory(code="brain")
    purchase = PackagePurchaseFactory(
        customer=customer, package=PackageFactory(name="브레인 10회", items={"brain": 10}, price=Decimal("1450000"))
    )
    return customer, purchase, brain


def _record(customer, purchase, brain, user):
    return session_record(
        actor=principal_from_user(user),
        customer=customer,
        service=brain,
        service_date=timezone.localdate(),
        purchase=purchase,
        staff=user,
    )


def used(purchase) -> int:
    return PackageBalance.objects.get(purchase=purchase).used


# --- void and correct ----------------------------------------------------------------------
def test_void_restores_the_balance_keeps_a_record_and_audits(desk, manager):
    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, manager.user)
    assert used(purchase) == 1
    voided = session_void(actor=principal_from_user(manager.user), session=session, reason="다른 고객으로 잘못 기록")
    assert used(purchase) == 0
    assert not ServiceSession.objects.filter(pk=session.pk).exists()
    assert (voided.original_session_id, voided.purchase_id, voided.reason) == (
        session.pk,
        purchase.pk,
        "다른 고객으로 잘못 기록",
    )
    assert voided.voided_by_id == manager.user.pk and voided.recorded_by_id == manager.user.pk
    row = AuditLog.objects.filter(action="delete", customer_ids=[customer.pk]).latest("id")
    assert row.query["session_id"] == session.pk and row.query["reason"] == "다른 고객으로 잘못 기록"
    assert row.query["balance_after"] == {"used": 0, "total": 10}
    customer.refresh_from_db()
    assert customer.total_visits == 0


def test_void_needs_a_manager_and_a_reason(desk, staff, manager):
    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, staff.user)
    with pytest.raises(ApiError) as refused:
        session_void(actor=principal_from_user(staff.user), session=session, reason="실수")
    assert refused.value.status_code == 403 and refused.value.code == "SESSION_CORRECTION_FORBIDDEN"
    with pytest.raises(ApiError) as no_reason:
        session_void(actor=principal_from_user(manager.user), session=session, reason="  ")
    assert no_reason.value.code == "VALIDATION_ERROR"
    assert used(purchase) == 1 and ServiceSession.objects.filter(pk=session.pk).exists()
    assert not VoidedSession.objects.exists()
    # the desk's page: STAFF gets 403, and the customer page offers no 취소 link
    assert staff.get(reverse("admin:customers_servicesession_void", args=[session.pk])).status_code == 403
    assert "desk-void" not in staff.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()


def test_void_from_the_customer_page_in_two_clicks(desk, manager):
    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, manager.user)
    page = manager.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    void_url = reverse("admin:customers_servicesession_void", args=[session.pk])
    assert void_url in page  # click 1: 취소 on the customer page
    form = manager.get(void_url)
    assert form.status_code == 200 and "1회가 되돌아갑니다" in form.content.decode()
    missing = manager.post(void_url, {"reason": ""})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    response = manager.post(void_url, {"reason": "중복 기록"})  # click 2
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:customers_customer_change", args=[customer.pk])
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "이용 기록을 취소했습니다. 패키지 1회를 되돌렸습니다." in message
    assert "브레인 피드백 10회 남음 (총 10회)" in message
    assert used(purchase) == 0
    after = manager.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "취소된 이용 1건" in after and "중복 기록" in after


def test_correct_a_session(desk, manager, staff):
    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, staff.user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ApiError):
        session_correct(
            actor=principal_from_user(staff.user), session=session, data={"service_date": yesterday}, reason="x"
        )
    url = reverse("admin:customers_servicesession_correct", args=[session.pk])
    response = manager.post(
        url,
        {"service_date": yesterday.isoformat(), "start_time": "14:00", "duration_minutes": "50", "reason": "날짜 오기"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.service_date, session.start_time, session.duration_minutes) == (yesterday, dt.time(14), 50)
    assert used(purchase) == 1  # a correction never touches the balance
    row = AuditLog.objects.filter(action="update", customer_ids=[customer.pk]).latest("id")
    assert row.query["reason"] == "날짜 오기"
    assert row.query["changes"]["service_date"] == {
        "old": timezone.localdate().isoformat(),
        "new": yesterday.isoformat(),
    }
    # a date outside the package's validity is refused, nothing changes
    before = purchase.purchase_date - dt.timedelta(days=1)
    refused = manager.post(url, {"service_date": before.isoformat(), "duration_minutes": "50", "reason": "x"})
    assert refused.status_code == 200
    session.refresh_from_db()
    assert session.service_date == yesterday


# --- 패키지 차감 없이 기록 ------------------------------------------------------------------
def test_without_package_and_a_package_together_is_refused(desk, staff):
    customer, purchase, brain = desk
    url = reverse("admin:customers_customer_record_session", args=[customer.pk])
    today = timezone.localdate().isoformat()
    both = staff.post(
        url, {"service": brain.pk, "purchase": purchase.pk, "without_package": "on", "service_date": today}
    )
    assert both.status_code == 200
    assert "without_package" in both.context["form"].errors
    assert ServiceSession.objects.count() == 0 and used(purchase) == 0
    with pytest.raises(ApiError):
        session_record(
            actor=principal_from_user(staff.user),
            customer=customer,
            service=brain,
            service_date=timezone.localdate(),
            purchase=purchase,
            redeem=False,
        )
    alone = staff.post(url, {"service": brain.pk, "without_package": "on", "service_date": today})
    assert alone.status_code == 302
    assert ServiceSession.objects.get().purchase_id is None and used(purchase) == 0
    assert "패키지 차감 없이 기록했습니다" in [str(m) for m in get_messages(alone.wsgi_request)][-1]


def test_record_message_says_what_is_left(desk, staff):
    customer, purchase, brain = desk
    response = staff.post(
        reverse("admin:customers_customer_record_session", args=[customer.pk]),
        {"service": brain.pk, "purchase": purchase.pk, "service_date": timezone.localdate().isoformat()},
    )
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert f"'브레인 10회' 잔여: 브레인 피드백 9회 남음 (총 10회), 만료 {purchase.expiry_date:%Y-%m-%d}." in message


# --- the customer page ---------------------------------------------------------------------
def test_balances_panel_first_with_d_day_and_expired_greyed(desk, staff):
    customer, purchase, _brain = desk
    today = timezone.localdate()
    PackagePurchase.objects.filter(pk=purchase.pk).update(expiry_date=today + dt.timedelta(days=12))
    old = PackagePurchaseFactory(
        customer=customer,
        package=PackageFactory(name="펄스 40회", items={"pulse": 40}),
        purchase_date=today - dt.timedelta(days=400),
        expiry_date=today - dt.timedelta(days=100),
        used={"pulse": 5},
    )
    refunded = PackagePurchaseFactory(
        customer=customer, package=PackageFactory(name="레드 5회", items={"red": 5}), status="refunded"
    )
    rows = customer_balances(customer=customer, today=today)
    assert [(r.purchase.pk, r.state, r.d_day) for r in rows][:1] == [(purchase.pk, "active", "D-12")]
    assert {(r.purchase.pk, r.state_label) for r in rows[1:]} == {(old.pk, "만료"), (refunded.pk, "환불")}
    assert rows[0].soon
    html = staff.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    panel = html.index('id="desk-panel"')
    assert panel < html.index('id="customer_form"') or panel < html.index("기본 정보")
    assert f'data-state="active" data-purchase="{purchase.pk}"' in html
    assert f'data-state="expired" data-purchase="{old.pk}"' in html and "만료 · D+100" in html
    assert f'data-state="refunded" data-purchase="{refunded.pk}"' in html
    assert "<b>35</b>회 남음 / 총 40회" in html  # an expired package still says what was left
    assert "사용 중 · D-12" in html


def test_d_day():
    today = dt.date(2026, 11, 29)
    assert [d_day(today + dt.timedelta(days=n), today) for n in (3, 0, -2)] == ["D-3", "D-day", "D+2"]


def test_selling_returns_to_the_customer_saying_what_is_left(desk, staff):
    customer, _purchase, _brain = desk
    package = PackageFactory(name="펄스 4회", items={"pulse": 4}, price=Decimal("1450000"))
    response = staff.post(
        reverse("admin:customers_packagepurchase_add"),
        {
            "customer": customer.pk,
            "package": package.pk,
            "purchase_date": timezone.localdate().isoformat(),
            "_save": "저장",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:customers_customer_change", args=[customer.pk])
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "'펄스 4회'을(를) ₩1,450,000에 판매했습니다." in message
    assert "잔여: 펄스 4회 남음 (총 4회)" in message


def test_money_has_thousand_separators(desk, staff):
    _customer, _purchase, _brain = desk
    html = staff.get(reverse("admin:customers_packagepurchase_changelist")).content.decode()
    assert "₩1,450,000" in html and "1450000" not in html


# --- membership: ADMIN only, the admin and the API alike ------------------------------------
def test_staff_and_manager_cannot_change_membership(desk, staff, manager, admin):
    customer, _purchase, _brain = desk
    for client in (staff, manager):
        form = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).context["adminform"].form
        assert "membership_level" not in form.fields
        with pytest.raises(ApiError) as refused:
            customer_update(actor=principal_from_user(client.user), customer=customer, data={"membership_level": "vip"})
        assert refused.value.status_code == 403 and refused.value.code == "MEMBERSHIP_CHANGE_FORBIDDEN"
    customer.refresh_from_db()
    assert customer.membership_level == "basic"
    customer_update(actor=principal_from_user(admin.user), customer=customer, data={"membership_level": "vip"})
    customer.refresh_from_db()
    assert customer.membership_level == "vip"


def test_api_membership_change_is_admin_only(desk, api_client_for):
    customer, _purchase, _brain = desk
    url = f"/api/v1/customers/{customer.pk}/detail"
    for role in ("STAFF", "MANAGER"):
        response = api_client_for(role).patch(url, {"membership_level": "vip"}, format="json")
        assert response.status_code == 403, role
    assert Customer.objects.get(pk=customer.pk).membership_level == "basic"


# --- ADMIN sees the names in the related pages --------------------------------------------
def test_admin_sees_unmasked_names_in_related_pages(desk, staff, admin):
    from commerce.testing.factories import OrderFactory, ProductFactory, ReviewFactory

    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, admin.user)
    product = ProductFactory()
    order = OrderFactory(buyer=customer, items=[(product, 1, None)])
    review = ReviewFactory(product=product, customer=customer, order=order)
    for url in (
        reverse("admin:customers_packagepurchase_changelist"),
        reverse("admin:customers_servicesession_changelist"),
        reverse("admin:customers_packagepurchase_change", args=[purchase.pk]),  # breadcrumbs and title too
        reverse("admin:customers_servicesession_change", args=[session.pk]),
        reverse("admin:commerce_order_changelist"),
        reverse("admin:commerce_order_change", args=[order.pk]),
        reverse("admin:commerce_review_changelist"),
        reverse("admin:commerce_review_change", args=[review.pk]),
    ):
        admin_html = admin.get(url).content.decode()
        staff_html = staff.get(url).content.decode()
        assert "이서우 (#" in admin_html, url
        assert "이서우" not in staff_html and mask_name("이서우") in staff_html, url
    assert str(customer) == f"{mask_name('이서우')} (#{customer.pk})"  # outside an ADMIN's page: masked


# --- history tab, titles, 사이트 보기 -------------------------------------------------------
def test_history_tab_lists_sessions_sales_and_voids(desk, manager):
    customer, purchase, brain = desk
    session = _record(customer, purchase, brain, manager.user)
    manager.post(reverse("admin:customers_servicesession_void", args=[session.pk]), {"reason": "중복 기록"})
    html = manager.get(reverse("admin:customers_customer_history", args=[customer.pk])).content.decode()
    assert "이용 기록" in html and "등록" in html and "삭제·취소" in html and "사유: 중복 기록" in html
    assert "이 고객에 대한 기록이 아직 없습니다" not in html


def test_korean_titles_and_no_dead_site_link(desk, staff, client):
    _customer, purchase, _brain = desk
    html = staff.get(reverse("admin:customers_servicesession_changelist")).content.decode()
    assert "서비스 이용 목록" in html and "보기위한" not in html
    page = staff.get(reverse("admin:commerce_order_changelist")).content.decode()
    assert "주문 목록" in page
    detail = staff.get(reverse("admin:customers_packagepurchase_change", args=[purchase.pk])).content.decode()
    assert "패키지 구매 보기" in detail and "뷰 " not in detail
    assert "사이트 보기" not in html
    assert client.get("/")["Location"] == "/admin/"


# --- shop-only buyers, the overview ------------------------------------------------------
def test_shop_only_buyers_are_separate(desk, staff):
    customer, _purchase, _brain = desk
    buyer = CustomerFactory(name="고객 14729", external_id="14729")
    both = CustomerFactory(name="양쪽고객", external_id="15000")
    PackagePurchaseFactory(customer=both)
    url = reverse("admin:customers_customer_changelist")
    default = staff.get(url).context["cl"].result_list
    assert {c.pk for c in default} == {customer.pk, both.pk}  # center customers by default
    assert {c.pk for c in staff.get(url, {"kind": "shop"}).context["cl"].result_list} == {buyer.pk}
    assert {c.pk for c in staff.get(url, {"kind": "all"}).context["cl"].result_list} == {customer.pk, both.pk, buyer.pk}
    from reports.overview import key_figures

    figures = key_figures(today=timezone.localdate())
    assert figures["active_customers"] == 2 and figures["shop_only_buyers"] == 1


def test_overview_revenue_chart_nets_refunds(db):
    from reports.overview import key_figures, revenue_per_month

    today = timezone.localdate()
    kept = PackagePurchaseFactory(purchase_date=today, price_paid=Decimal("300000"))
    PackagePurchaseFactory(purchase_date=today, price_paid=Decimal("500000"), status="refunded")
    PackagePurchaseFactory(purchase_date=today, price_paid=Decimal("700000"), status="cancelled")
    month = revenue_per_month(today=today)
    assert month["center_krw"][-1] == kept.price_paid == key_figures(today=today)["center_revenue_this_month"]


def test_search_results_show_usable_packages_and_what_is_left(desk, staff):
    _customer, purchase, _brain = desk
    PackagePurchase.objects.filter(pk=purchase.pk).update(expiry_date=timezone.localdate() + dt.timedelta(days=30))
    html = staff.get(reverse("admin:customers_customer_changelist"), {"q": "3723-1861"}).content.decode()
    assert "브레인 10회 10회 남음 (D-30)" in html
