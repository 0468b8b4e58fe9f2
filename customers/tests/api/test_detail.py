from __future__ import annotations

import pytest

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject

pytestmark = pytest.mark.django_db


def url(customer_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/detail"


def test_detail_shape_for_admin(api_client_for, center):
    customer = center["customer"]
    response = api_client_for("ADMIN").get(url(customer.pk))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    c = data["customer"]
    assert c["customer_id"] == customer.pk
    assert c["name"] == "김영희"
    assert c["phone"] == "010-1234-5678"
    assert c["membership_level"] == "VIP"
    assert c["average_visit_interval"] == 14  # 54 days / 4 intervals = 13.5 → 14
    assert c["assigned_staff"] == "이직원"
    assert c["health_goals"] == "스트레스 관리, 수면 개선"
    assert c["total_revenue"] == 900000
    assert data["serviceHistoryTotal"] == 5
    history = data["serviceHistory"]
    assert [h["service_date"] for h in history] == sorted((h["service_date"] for h in history), reverse=True)
    assert history[0]["staff_name"] == "이직원"
    assert history[0]["package_name"] == "프리미엄 케어"
    assert history[0]["session_notes"] == "메모 4"
    [package] = data["activePackages"]
    assert package["total_sessions"] == 20
    assert package["used_sessions"] == 8
    assert package["remaining_sessions"] == 12
    assert package["usage_rate"] == 40.0
    assert package["days_remaining"] == 25
    assert package["service_breakdown"] == {
        "brain": {"total": 10, "used": 5, "remaining": 5},
        "pulse": {"total": 10, "used": 3, "remaining": 7},
    }
    assert data["preferences"]["health_interests"] == ["스트레스", "수면"]
    row = AuditLog.objects.get(action="view")
    assert row.customer_ids == [customer.pk]
    assert row.cache_hit is False
    assert set(row.fields_unmasked) == {"name", "phone", "email", "address", "emergency_contact"}
    assert set(row.fields_health) == {"health_goals", "session_notes", "health_interests"}


@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
def test_detail_masked_and_health_redacted_below_admin(api_client_for, center, role):
    response = api_client_for(role).get(url(center["customer"].pk))
    assert response.status_code == 200
    data = response.json()["data"]
    c = data["customer"]
    assert c["name"] == "김*희"
    assert c["phone"] == "010-****-5678"
    assert c["email"] == "k**@example.com"
    assert c["address"] == "서울시 강남구 ***"
    assert c["emergency_contact"] == "010-****-4321"
    assert c["health_goals"] is None
    assert all(h["session_notes"] is None for h in data["serviceHistory"])
    assert "session_notes" in data["serviceHistory"][0]
    assert data["preferences"]["health_interests"] is None
    row = AuditLog.objects.get(action="view")
    assert row.fields_unmasked == [] and row.fields_health == []
    assert row.role == role


def test_detail_permissions_grant_unmasked_and_health(make_user, api_client, center):
    from django.contrib.auth.models import Permission
    from rest_framework_simplejwt.tokens import AccessToken

    user = make_user("STAFF", username="nurse")
    user.user_permissions.add(
        Permission.objects.get(codename="view_health_info"), Permission.objects.get(codename="view_unmasked_pii")
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    data = api_client.get(url(center["customer"].pk)).json()["data"]
    assert data["customer"]["name"] == "김영희"
    assert data["customer"]["health_goals"] == "스트레스 관리, 수면 개선"


def test_detail_cache_hit_is_audited(api_client_for, center, django_assert_max_num_queries):
    client = api_client_for("STAFF")
    assert client.get(url(center["customer"].pk)).status_code == 200
    with django_assert_max_num_queries(4):  # user + 2 permission lookups + audit insert: no reads
        response = client.get(url(center["customer"].pk))
    assert response.status_code == 200
    rows = list(AuditLog.objects.filter(action="view").order_by("id"))
    assert [r.cache_hit for r in rows] == [False, True]


def test_detail_query_count_is_constant(api_client_for, center, service_catalog, django_assert_max_num_queries):
    from customers.testing.factories import ServiceSessionFactory

    client = api_client_for("ADMIN")
    for _ in range(30):
        ServiceSessionFactory(customer=center["customer"], service=service_catalog["red"], purchase=center["purchase"])
    with django_assert_max_num_queries(9):  # 3 auth + 5 reads + audit
        response = client.get(url(center["customer"].pk))
    assert response.status_code == 200
    assert len(response.json()["data"]["serviceHistory"]) == 20
    assert response.json()["data"]["serviceHistoryTotal"] == 35


def test_detail_unknown_customer_404(api_client_for, db):
    response = api_client_for("STAFF").get(url(999999))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"


def test_detail_requires_token(api_client, center):
    response = api_client.get(url(center["customer"].pk))
    assert response.status_code == 401
    assert AuditLog.objects.count() == 0


@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_forbidden_below_admin(api_client_for, center, role, method):
    customer = center["customer"]
    response = getattr(api_client_for(role), method)(url(customer.pk), {"occupation": "프리랜서"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    customer.refresh_from_db()
    assert customer.occupation != "프리랜서"
    assert not AuditLog.objects.filter(action="update").exists()


def test_update_changes_audits_masked_and_invalidates_cache(api_client_for, center, django_capture_on_commit_callbacks):
    customer = center["customer"]
    admin = api_client_for("ADMIN")
    staff = api_client_for("STAFF")
    assert staff.get(url(customer.pk)).json()["data"]["customer"]["occupation"] == customer.occupation
    body = {
        "email": "newemail@example.com",
        "occupation": "프리랜서",
        "health_goals": "체중 감량, 근력 향상",
        "preferred_time_slots": ["evening", "weekend"],
        "preferences": {"marketing_consent": False},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.put(url(customer.pk), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["changed_fields"] == [
        "email",
        "health_goals",
        "occupation",
        "preferences.marketing_consent",
        "preferred_time_slots",
    ]
    customer.refresh_from_db()
    assert customer.email == "newemail@example.com"
    assert customer.preference.marketing_consent is False
    row = AuditLog.objects.get(action="update")
    assert row.customer_ids == [customer.pk]
    assert row.query["values"]["email"] == "n*******@example.com"
    assert row.query["values"]["health_goals"] == "[건강정보]"
    assert "newemail" not in str(row.query)
    # the cached detail of the STAFF caller is gone: the next read shows the new value
    after = staff.get(url(customer.pk)).json()["data"]["customer"]
    assert after["occupation"] == "프리랜서"
    assert after["email"] == "n*******@example.com"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "occupation": "바뀌면 안 됨"}, "email"),
        ({"membership_level": "gold", "occupation": "바뀌면 안 됨"}, "membership_level"),
        ({"total_visits": 99, "occupation": "바뀌면 안 됨"}, "total_visits"),
        ({"preferred_time_slots": ["midnight"], "occupation": "바뀌면 안 됨"}, "preferred_time_slots"),
        ({"birth_year": 1800, "occupation": "바뀌면 안 됨"}, "birth_year"),
    ],
)
def test_update_validation_error_changes_nothing(api_client_for, center, body, field):
    customer = center["customer"]
    before = (customer.occupation, customer.email, customer.membership_level, customer.updated_at)
    response = api_client_for("ADMIN").patch(url(customer.pk), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"]["fields"]
    customer.refresh_from_db()
    assert (customer.occupation, customer.email, customer.membership_level, customer.updated_at) == before
    assert not AuditLog.objects.filter(action="update").exists()


def test_update_unknown_customer_404(api_client_for, db):
    response = api_client_for("ADMIN").patch(url(424242), {"occupation": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestDetailContract(EndpointContract):
    url_name = "customer-detail"
    invalid_query = {"history_limit": -1}
    audit_action = AuditLog.Action.VIEW
    shows_name = True

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"history_limit": 5})


class TestDetailPutContract(EndpointContract):
    url_name = "customer-detail"
    method = "PUT"
    audit_action = AuditLog.Action.UPDATE

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], body={"occupation": "교사", "membership_level": "premium"})


class TestDetailPatchContract(TestDetailPutContract):
    url_name = "customer-detail"
    method = "PATCH"
