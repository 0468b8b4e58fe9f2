"""The center's back office: pages per role, masking, health redaction, audit, the session and
expiry actions through the services, and the customer changelist's query bound."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.masking import mask_email, mask_name, mask_phone
from accounts.models import AuditLog
from customers.models import (
    Customer,
    CustomerPreference,
    HealthMetric,
    Package,
    PackageBalance,
    PackageItem,
    PackagePurchase,
    RecommendationFeedback,
    Service,
    ServiceSession,
)
from customers.testing.factories import (
    CustomerFactory,
    CustomerPreferenceFactory,
    HealthMetricFactory,
    PackageFactory,
    PackagePurchaseFactory,
    RecommendationFeedbackFactory,
    ServiceFactory,
    ServiceSessionFactory,
)

pytestmark = pytest.mark.django_db

PHONE = "010-4321-8765"
EMAIL = "younghee.kim@example.kr"
ADDRESS = "서울특별시 강남구 테헤란로 123"
GOALS = "불면증 개선과 스트레스 관리"
NOTES = "두통 호소, 강도 낮춤"


@pytest.fixture
def customer(db) -> Customer:
    customer = CustomerFactory(
        name="김영희", phone=PHONE, email=EMAIL, address=ADDRESS, emergency_contact="010-2222-3333", health_goals=GOALS
    )
    CustomerPreferenceFactory(customer=customer, health_interests=["수면장애"])
    purchase = PackagePurchaseFactory(customer=customer, package=PackageFactory(name="브레인 10회"), used={"brain": 2})
    ServiceSessionFactory(
        customer=customer, service=ServiceFactory(code="brain"), purchase=purchase, session_notes=NOTES
    )
    HealthMetricFactory(customer=customer)
    RecommendationFeedbackFactory(customer=customer)
    return customer


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


@pytest.fixture
def admin(backoffice_client_for):
    return backoffice_client_for("ADMIN")


def object_of(model: type, customer: Customer) -> object:
    if model is Customer:
        return customer
    if model in (Service, Package):
        return model.objects.first()
    if model is PackageItem:
        return PackageItem.objects.first()
    if model is PackageBalance:
        return PackageBalance.objects.filter(purchase__customer=customer).first()
    return model.objects.filter(customer=customer).first()


MODELS = [
    Customer,
    CustomerPreference,
    Service,
    Package,
    PackageItem,
    PackagePurchase,
    PackageBalance,
    ServiceSession,
    HealthMetric,
    RecommendationFeedback,
]
# STAFF has no model permission on health metrics (and would need view_health_info as well)
STAFF_DENIED = {HealthMetric}


@pytest.mark.parametrize("role", ["STAFF", "ADMIN"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_page_per_role(model, role, customer, staff, admin):
    client = staff if role == "STAFF" else admin
    expected = 403 if (role == "STAFF" and model in STAFF_DENIED) else 200
    opts = model._meta
    obj = object_of(model, customer)
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert changelist.status_code == expected
    assert change.status_code == expected


def test_staff_sees_masked_pii_only(customer, staff):
    changelist = staff.get(reverse("admin:customers_customer_changelist")).content.decode()
    change = staff.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    for html in (changelist, change):
        assert PHONE not in html
        assert EMAIL not in html
        assert "김영희" not in html
        assert mask_phone(PHONE) in html  # 010-****-8765
        assert mask_name("김영희") in html
    assert mask_email(EMAIL) in change
    assert ADDRESS not in change
    assert "서울특별시 강남구 ***" in change
    assert "010-2222-3333" not in change
    # no form input carries a raw value either
    assert 'name="phone"' not in change
    assert 'name="name"' not in change


def test_staff_does_not_see_health_information(customer, staff):
    html = staff.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert GOALS not in html
    assert NOTES not in html
    assert "수면장애" not in html
    assert "건강 지표" not in html
    row = AuditLog.objects.get(action="view")
    assert row.fields_health == []
    assert row.fields_unmasked == []
    session = customer.sessions.get()
    session_html = staff.get(reverse("admin:customers_servicesession_change", args=[session.pk])).content.decode()
    assert NOTES not in session_html
    preference_html = staff.get(
        reverse("admin:customers_customerpreference_change", args=[customer.preference.pk])
    ).content.decode()
    assert "수면장애" not in preference_html


def test_admin_sees_raw_values_and_health(customer, admin):
    changelist = admin.get(reverse("admin:customers_customer_changelist")).content.decode()
    change = admin.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert PHONE in changelist
    assert "김영희" in changelist
    assert f'value="{PHONE}"' in change
    assert GOALS in change
    assert NOTES in change
    row = AuditLog.objects.get(action="view")
    assert row.customer_ids == [customer.pk]
    assert set(row.fields_unmasked) == {"name", "phone", "email", "address", "emergency_contact"}
    assert set(row.fields_health) == {"health_goals", "healthMetrics", "session_notes", "health_interests"}


def test_changelist_writes_list_row_with_ids_shown(customer, staff):
    other = CustomerFactory()
    response = staff.get(reverse("admin:customers_customer_changelist"), {"membership_level__exact": "basic"})
    assert response.status_code == 200
    row = AuditLog.objects.get(action="list")
    assert sorted(row.customer_ids) == sorted([customer.pk, other.pk])
    assert row.query["model"] == "customers.Customer"
    assert row.query["membership_level__exact"] == "basic"
    assert row.actor_name == "admin-staff"
    assert row.role == "STAFF"


def test_search_by_raw_phone_finds_but_shows_masked(customer, staff):
    CustomerFactory(phone="010-9999-0000")
    response = staff.get(reverse("admin:customers_customer_changelist"), {"q": PHONE})
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:customers_customer_change", args=[customer.pk]) in html
    # the term is echoed in the search box (the user typed it); the results show it masked
    start = html.index("<tbody>", html.index('id="result_list"'))
    results = html[start : html.index("</tbody>", start)]
    results = results.replace(f"q%3D{PHONE}", "")  # links keep the user's own search (_changelist_filters)
    assert PHONE not in results
    assert mask_phone(PHONE) in results
    assert "010-****-0000" not in results  # the other customer is not a match
    row = AuditLog.objects.get(action="list")
    assert row.customer_ids == [customer.pk]
    assert row.query["q"] == mask_phone(PHONE)  # the audit log never holds the raw search


def test_search_by_email_and_name(customer, staff):
    for term in (EMAIL, "김영희"):
        html = staff.get(reverse("admin:customers_customer_changelist"), {"q": term}).content.decode()
        assert reverse("admin:customers_customer_change", args=[customer.pk]) in html


def test_staff_update_writes_changed_field_names(customer, staff):
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    form = staff.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    before_level = customer.membership_level
    data.update(
        {
            "membership_level": "vip",  # read-only for STAFF (ADMIN only): ignored
            "occupation": "프리랜서",
            "preferred_time_slots": ["evening"],
            "preference-TOTAL_FORMS": "1",
            "preference-INITIAL_FORMS": "1",
            "preference-MIN_NUM_FORMS": "0",
            "preference-MAX_NUM_FORMS": "1",
            "preference-0-id": str(customer.preference.pk),
            "preference-0-customer": str(customer.pk),
            "preference-0-preferred_services": ["brain", "red"],
            "preference-0-preferred_time": "evening",
            "preference-0-preferred_intensity": "medium",
            "preference-0-communication_preference": "kakao",
            "preference-0-marketing_consent": "on",
            "_save": "저장",
        }
    )
    for prefix, count in (("purchases", 1), ("sessions", 1)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(count),
                f"{prefix}-INITIAL_FORMS": str(count),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data["purchases-0-id"] = str(customer.purchases.get().pk)
    data["sessions-0-id"] = str(customer.sessions.get().pk)
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.membership_level == before_level
    assert customer.occupation == "프리랜서"
    assert customer.phone == PHONE  # not in the form, never overwritten
    assert customer.health_goals == GOALS
    assert customer.preference.health_interests == ["수면장애"]  # hidden from STAFF, kept
    assert customer.preferred_time_slots == ["evening"]
    rows = list(AuditLog.objects.filter(action="update").values_list("customer_ids", "query"))
    assert [(ids, query["changed_fields"]) for ids, query in rows] == [([customer.pk], ["occupation"])]


def test_customer_changelist_query_count_is_bounded(staff, django_assert_max_num_queries):
    staff_user = staff.user
    CustomerFactory.create_batch(5, assigned_staff=staff_user)
    url = reverse("admin:customers_customer_changelist")
    staff.get(url)  # warm up: content types, session
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    CustomerFactory.create_batch(40, assigned_staff=staff_user)
    with CaptureQueriesContext(connection) as many:
        assert staff.get(url).status_code == 200
    assert len(many) == len(few)  # no query per row
    with django_assert_max_num_queries(14):
        staff.get(url)


# --- the "세션 기록" action and page --------------------------------------------------------
@pytest.fixture
def package_customer(db):
    customer = CustomerFactory()
    purchase = PackagePurchaseFactory(customer=customer, package=PackageFactory(items={"brain": 3}))
    return customer, purchase


def test_record_session_action_redirects_to_the_form(package_customer, staff):
    customer, _ = package_customer
    response = staff.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "record_session_action", "_selected_action": [customer.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:customers_customer_record_session", args=[customer.pk])
    page = staff.get(response["Location"])
    assert page.status_code == 200
    assert "브레인 피드백" in page.content.decode()
    assert "session_notes" not in page.context["form"].fields  # health information, STAFF


def test_record_session_redeems_a_balance(package_customer, staff):
    customer, purchase = package_customer
    brain = Service.objects.get(code="brain")
    response = staff.post(
        reverse("admin:customers_customer_record_session", args=[customer.pk]),
        {
            "service": brain.pk,
            "purchase": purchase.pk,
            "service_date": timezone.localdate().isoformat(),
            "start_time": "10:30",
            "satisfaction_rating": "5",
        },
    )
    assert response.status_code == 302
    balance = PackageBalance.objects.get(purchase=purchase, service=brain)
    assert balance.used == 1
    session = ServiceSession.objects.get(customer=customer)
    assert session.purchase_id == purchase.pk
    assert session.staff_id == staff.user.pk
    assert session.satisfaction_rating == 5
    assert AuditLog.objects.filter(action="create", customer_ids=[customer.pk]).exists()


def test_record_session_refused_shows_error_and_changes_nothing(package_customer, staff):
    customer, purchase = package_customer
    red = ServiceFactory(code="red")  # not in the package
    response = staff.post(
        reverse("admin:customers_customer_record_session", args=[customer.pk]),
        {"service": red.pk, "purchase": purchase.pk, "service_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(text) == 1
    assert "세션을 기록하지 못했습니다" in text[0]
    assert "포함되어 있지 않습니다" in text[0]
    assert ServiceSession.objects.count() == 0
    assert list(PackageBalance.objects.filter(purchase=purchase).values_list("used", flat=True)) == [0]


def test_record_session_on_expired_package_is_refused(package_customer, staff):
    customer, purchase = package_customer
    PackagePurchase.objects.filter(pk=purchase.pk).update(expiry_date=timezone.localdate() - dt.timedelta(days=1))
    brain = Service.objects.get(code="brain")
    response = staff.post(
        reverse("admin:customers_customer_record_session", args=[customer.pk]),
        {"service": brain.pk, "purchase": purchase.pk, "service_date": timezone.localdate().isoformat()},
    )
    # an expired purchase is not even offered in the form
    assert response.status_code == 200
    assert "purchase" in response.context["form"].errors
    assert ServiceSession.objects.count() == 0
    assert PackageBalance.objects.get(purchase=purchase).used == 0


def test_session_add_form_goes_through_the_service(package_customer, staff):
    customer, purchase = package_customer
    brain = Service.objects.get(code="brain")
    url = reverse("admin:customers_servicesession_add")
    data = {
        "customer": customer.pk,
        "service": brain.pk,
        "purchase": purchase.pk,
        "service_date": timezone.localdate().isoformat(),
        "start_time": "09:00",
        "satisfaction_rating": "4",
        "_save": "저장",
    }
    assert staff.post(url, data).status_code == 302
    assert PackageBalance.objects.get(purchase=purchase).used == 1
    # the last two sessions: the second redemption of the three works, a fourth is refused
    staff.post(url, data)
    staff.post(url, data)
    response = staff.post(url, data)
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("잔여 횟수가 없습니다" in m for m in messages)
    assert PackageBalance.objects.get(purchase=purchase).used == 3
    assert ServiceSession.objects.filter(customer=customer).count() == 3


def test_extend_expiry_action(package_customer, manager):
    customer, purchase = package_customer
    before = purchase.expiry_date
    url = reverse("admin:customers_packagepurchase_changelist")
    page = manager.post(url, {"action": "extend_expiry_action", "_selected_action": [purchase.pk]})
    assert page.status_code == 200
    assert "만료일 연장" in page.content.decode()
    response = manager.post(
        url,
        {
            "action": "extend_expiry_action",
            "_selected_action": [purchase.pk],
            "apply": "1",
            "days": "30",
            "reason": "입원",
        },
    )
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.expiry_date == before + dt.timedelta(days=30)
    row = AuditLog.objects.filter(action="update", customer_ids=[customer.pk]).latest("id")
    assert row.actor_name == "admin-manager"


def test_extend_expiry_is_not_offered_to_staff(package_customer, staff):
    _, purchase = package_customer
    before = purchase.expiry_date
    response = staff.post(
        reverse("admin:customers_packagepurchase_changelist"),
        {
            "action": "extend_expiry_action",
            "_selected_action": [purchase.pk],
            "apply": "1",
            "days": "30",
            "reason": "x",
        },
    )
    assert response.status_code == 200  # the changelist with "no action selected"
    purchase.refresh_from_db()
    assert purchase.expiry_date == before


def test_selling_a_package_uses_the_service(staff):
    customer = CustomerFactory()
    package = PackageFactory(items={"pulse": 4, "red": 2})
    response = staff.post(
        reverse("admin:customers_packagepurchase_add"),
        {
            "customer": customer.pk,
            "package": package.pk,
            "purchase_date": timezone.localdate().isoformat(),
            "_save": "저장",
        },
    )
    assert response.status_code == 302, [str(m) for m in get_messages(response.wsgi_request)]
    purchase = PackagePurchase.objects.get(customer=customer)
    assert purchase.price_paid == package.price
    assert purchase.sold_by_id == staff.user.pk
    assert sorted(purchase.balances.values_list("service__code", "total", "used")) == [("pulse", 4, 0), ("red", 2, 0)]


# --- the overview on the admin index ---------------------------------------------------
def test_index_overview_for_staff_and_admin(package_customer, staff, admin):
    customer, purchase = package_customer
    PackagePurchase.objects.filter(pk=purchase.pk).update(expiry_date=timezone.localdate() + dt.timedelta(days=5))
    ServiceSessionFactory(customer=customer, service=ServiceFactory(code="brain"))
    html = staff.get(reverse("admin:index")).content.decode()
    assert 'id="backoffice-overview"' in html
    assert "<svg" in html
    assert "주별 서비스 이용" in html
    assert "월별 매출" not in html  # money is for MANAGER and above
    assert customer.name not in html
    assert mask_name(customer.name) in html
    row = AuditLog.objects.get(action="list", query__view="admin-overview")
    assert row.customer_ids == [customer.pk]
    admin_html = admin.get(reverse("admin:index")).content.decode()
    assert "월별 매출" in admin_html
    assert customer.name in admin_html


def test_refund_action_uses_the_service(package_customer, manager):
    customer, purchase = package_customer
    url = reverse("admin:customers_packagepurchase_changelist")
    base = {"action": "cancel_action", "_selected_action": [purchase.pk]}
    # without a reason the form is shown again and nothing changes
    again = manager.post(url, {**base, "apply": "1", "refund": "1", "reason": ""})
    assert again.status_code == 200
    assert "reason" in again.context["form"].errors
    purchase.refresh_from_db()
    assert purchase.status == "active"
    response = manager.post(url, {**base, "apply": "1", "refund": "1", "reason": "고객 요청 환불"})
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    row = AuditLog.objects.filter(action="update", customer_ids=[customer.pk]).latest("id")
    assert row.query["reason"] == "고객 요청 환불"
    # a second refund is refused by the service: an error message, the status stays
    response = manager.post(url, {**base, "apply": "1", "refund": "0", "reason": "중복"}, follow=True)
    assert any("처리하지 못했습니다" in str(m) for m in response.context["messages"])
    purchase.refresh_from_db()
    assert purchase.status == "refunded"


def test_index_still_works_when_the_overview_fails(staff, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("chart backend gone")

    monkeypatch.setattr("reports.admin.overview_get", broken)
    response = staff.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "통계를 불러오지 못했습니다" in html
    assert reverse("admin:customers_customer_changelist") in html  # the app list is there


def test_search_by_phone_without_hyphens(customer, staff):
    html = staff.get(reverse("admin:customers_customer_changelist"), {"q": "01043218765"}).content.decode()
    assert reverse("admin:customers_customer_change", args=[customer.pk]) in html
    assert AuditLog.objects.get(action="list").customer_ids == [customer.pk]


def test_date_hierarchy_years_come_from_min_and_max(staff):
    from accounts.backoffice.dates import with_indexed_dates

    a, b = CustomerFactory(), CustomerFactory()
    Customer.objects.filter(pk=a.pk).update(created_at=dt.datetime(2023, 5, 1, tzinfo=dt.UTC))
    Customer.objects.filter(pk=b.pk).update(created_at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    years = with_indexed_dates(Customer.objects.all()).datetimes("created_at", "year")
    assert [y.year for y in years] == [2023, 2024, 2025]
    months = with_indexed_dates(Customer.objects.filter(created_at__year=2025)).datetimes("created_at", "month")
    assert [(m.year, m.month) for m in months] == [(2025, 2)]
    html = staff.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert "created_at__year=2024" in html
