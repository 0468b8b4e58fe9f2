"""Second reading of the API for personal/health data leaks: every customer endpoint called by
each role below ADMIN, checked for the raw values of the ``center`` customer."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditLog
from customers.catalog import SERVICES

RAW_PII = ("김영희", "010-1234-5678", "kim@example.com", "테헤란로", "010-8765-4321", "8765-4321", "1234-5678")
RAW_HEALTH = ("스트레스 관리, 수면 개선", "메모 ", "건강 목표(")


def _paths(cid: int) -> list[tuple[str, str]]:
    """(path, least role): every customer-data read, with the role the access table asks for."""
    return [
        (f"/api/v1/customers/{cid}/detail", "STAFF"),
        (f"/api/v1/customers/{cid}/sessions", "STAFF"),
        (f"/api/v1/customers/{cid}/orders", "STAFF"),
        ("/api/v1/customers", "STAFF"),
        ("/api/v1/customers/search?q=김영희", "STAFF"),
        ("/api/v1/customers/search?q=010-1234-5678", "STAFF"),
        ("/api/v1/customers/search?q=kim@example.com", "STAFF"),
        (f"/api/v1/customers/{cid}/analytics?period=90d", "MANAGER"),
        (f"/api/v1/customers/segments/{cid}", "MANAGER"),
        (f"/api/v1/customers/{cid}/recommendations", "MANAGER"),
        (f"/api/v1/analytics/users/{cid}/behavior", "MANAGER"),
    ]


@pytest.fixture
def callers(api_client_for, internal_client_for):
    return {
        "STAFF": api_client_for("STAFF"),
        "MANAGER": api_client_for("MANAGER"),
        "service-MANAGER": internal_client_for("MANAGER"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["STAFF", "MANAGER", "service-MANAGER"])
def test_sweep_no_raw_pii_or_health(center, callers, who):
    cid = center["customer"].pk
    client = callers[who]
    role = who.removeprefix("service-")
    answered = 0
    for path, least in _paths(cid):
        r = client.get(path)
        payload = r.json()
        # a refusal trivially shows no personal data: only a caller the table lets in proves anything
        if role == "STAFF" and least == "MANAGER":
            assert (r.status_code, payload["error"]["code"]) == (403, "UNAUTHORIZED_ACCESS"), (who, path)
            continue
        assert r.status_code == 200, (who, path, r.content[:300])
        answered += 1
        payload["data"].pop("filters_applied", None)  # the caller's own search term, echoed
        body = json.dumps(payload, ensure_ascii=False)
        for raw in RAW_PII + RAW_HEALTH:
            assert raw not in body, (who, path, raw)
        rows = AuditLog.objects.filter(path=path.split("?")[0])
        assert rows.exists(), (who, path)
        for row in rows:
            text = json.dumps(row.query, ensure_ascii=False)
            for raw in RAW_PII:
                assert raw not in text, (path, raw, text)
    assert answered == (7 if role == "STAFF" else 11)


def _cache_pairs(cid: int) -> list[tuple[str, str, str]]:
    """(path, role that may see more, role that may see less)"""
    return [
        (f"/api/v1/customers/{cid}/detail", "ADMIN", "STAFF"),
        (f"/api/v1/customers/{cid}/analytics?period=90d", "ADMIN", "MANAGER"),
        (f"/api/v1/customers/{cid}/recommendations?type=service", "ADMIN", "MANAGER"),
        (f"/api/v1/analytics/users/{cid}/behavior", "ADMIN", "MANAGER"),
        (f"/api/v1/customers/segments/{cid}", "ADMIN", "MANAGER"),
    ]


def _views(client, path: str) -> tuple[str, dict]:
    r = client.get(path)
    assert r.status_code == 200, r.content
    return r.content.decode(), r.json()["data"]


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["more", "less"])
def test_cache_never_serves_one_callers_view_to_another(center, api_client_for, first):
    cid = center["customer"].pk
    for path, more, less in _cache_pairs(cid):
        from django.core.cache import cache

        cache.clear()
        order = [more, less] if first == "more" else [less, more]
        seen = {role: _views(api_client_for(role), path) for role in order}
        _, more_data = seen[more]
        less_body, less_data = seen[less]
        for raw in RAW_PII + RAW_HEALTH:
            assert raw not in less_body, (path, first, raw)
        if "/detail" in path:
            assert more_data["customer"]["name"] == "김영희"
            assert more_data["customer"]["health_goals"] == "스트레스 관리, 수면 개선"
            assert more_data["serviceHistory"][0]["session_notes"].startswith("메모")
            assert less_data["customer"]["name"] == "김*희"
        if "/analytics?" in path:
            assert more_data["healthMetrics"] is not None
            assert less_data["healthMetrics"] is None
        # same keys whoever asks
        assert _same_shape(more_data, less_data), path
        rows = list(AuditLog.objects.filter(path=path.split("?")[0]).order_by("id"))
        # recommendations are computed apart for callers without view_health_info (their
        # scores must not reflect health goals), so the two roles do not share that entry
        hits = [False, False] if "/recommendations" in path else [False, True]
        assert [r.cache_hit for r in rows] == hits, path
        assert [r.role for r in rows] == order, path


def _shape(value: object, prefix: str = "") -> set[str]:
    """Key paths of a response; a redacted field is ``null`` so its inside is not compared."""
    if isinstance(value, dict):
        out = set()
        for k, v in value.items():
            out |= {f"{prefix}.{k}"} | _shape(v, f"{prefix}.{k}")
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _shape(value[0], f"{prefix}[]")
    return set()


def _same_shape(a: dict, b: dict) -> bool:
    def prune(paths: set[str], nulls: set[str]) -> set[str]:
        return {p for p in paths if not any(p.startswith(n + ".") or p.startswith(n + "[]") for n in nulls)}

    def null_paths(value: object, prefix: str = "") -> set[str]:
        if isinstance(value, dict):
            out = set()
            for k, v in value.items():
                out |= {f"{prefix}.{k}"} if v is None else null_paths(v, f"{prefix}.{k}")
            return out
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return null_paths(value[0], f"{prefix}[]")
        return set()

    nulls = null_paths(a) | null_paths(b)
    return prune(_shape(a), nulls) == prune(_shape(b), nulls)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_below_admin_is_refused_and_changes_nothing(center, api_client_for, role, method):
    customer = center["customer"]
    before = customer.updated_at
    r = getattr(api_client_for(role), method)(
        f"/api/v1/customers/{customer.pk}/detail", {"name": "박철수", "phone": "010-0000-0000"}, format="json"
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.updated_at) == ("김영희", "010-1234-5678", before)
    assert not AuditLog.objects.filter(action="update").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"phone": "not a phone"},
        {"email": "nope"},
        {"name": "박철수", "total_visits": 99},
        {"name": "박철수", "birth_year": 1800},
        {},
    ],
)
def test_invalid_update_is_400_and_changes_nothing(center, api_client_for, body):
    customer = center["customer"]
    before = customer.updated_at
    r = api_client_for("ADMIN").patch(f"/api/v1/customers/{customer.pk}/detail", body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    text = r.content.decode()
    for raw in ("not a phone", "nope"):
        assert raw not in text
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email, customer.updated_at) == (
        "김영희",
        "010-1234-5678",
        "kim@example.com",
        before,
    )
    assert not AuditLog.objects.filter(action="update").exists()


@pytest.mark.django_db
def test_update_audit_holds_masked_values_only(center, api_client_for):
    customer = center["customer"]
    r = api_client_for("ADMIN").patch(
        f"/api/v1/customers/{customer.pk}/detail",
        {
            "name": "박철수",
            "phone": "010-2222-3333",
            "email": "park@example.com",
            "address": "부산시 해운대구 우동 1",
            "emergency_contact": "010-4444-5555",
            "health_goals": "체중 감량",
            "preferences": {"health_interests": ["체중"]},
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    row = AuditLog.objects.get(action="update")
    text = json.dumps(row.query, ensure_ascii=False)
    for raw in ("박철수", "2222-3333", "park@", "우동", "4444-5555", "체중"):
        assert raw not in text, raw
    assert row.query["values"]["name"] == "박*수"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path", "status", "code"),
    [
        ("STAFF", "/api/v1/customers/999999/detail", 404, "CUSTOMER_NOT_FOUND"),
        ("STAFF", "/api/v1/customers/999999/sessions", 404, "CUSTOMER_NOT_FOUND"),
        ("STAFF", "/api/v1/customers/999999/orders", 404, "CUSTOMER_NOT_FOUND"),
        ("STAFF", "/api/v1/customers/999999/analytics", 403, "UNAUTHORIZED_ACCESS"),
        ("STAFF", "/api/v1/customers/segments/999999", 403, "UNAUTHORIZED_ACCESS"),
        ("STAFF", "/api/v1/customers/999999/recommendations", 403, "UNAUTHORIZED_ACCESS"),
        ("STAFF", "/api/v1/analytics/users/999999/behavior", 403, "UNAUTHORIZED_ACCESS"),
        ("MANAGER", "/api/v1/customers/999999/analytics", 404, "CUSTOMER_NOT_FOUND"),
        ("MANAGER", "/api/v1/customers/segments/999999", 404, "CUSTOMER_NOT_FOUND"),
        ("MANAGER", "/api/v1/customers/999999/recommendations", 404, "CUSTOMER_NOT_FOUND"),
        ("MANAGER", "/api/v1/analytics/users/999999/behavior", 404, "CUSTOMER_NOT_FOUND"),
    ],
)
def test_unknown_id(db, api_client_for, role, path, status, code):
    r = api_client_for(role).get(path)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_admin_only_writes_on_unknown_id_are_403_below_admin(db, api_client_for, method):
    path = "/api/v1/customers/999999" + ("" if method == "delete" else "/detail")
    r = getattr(api_client_for("MANAGER"), method)(path, {"name": "x"}, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"


def _recs_without_ids(client, cid: int) -> list[dict]:
    from django.core.cache import cache

    cache.clear()
    r = client.get(f"/api/v1/customers/{cid}/recommendations?count=5")
    assert r.status_code == 200, r.content
    return [{k: v for k, v in rec.items() if k != "recommendation_id"} for rec in r.json()["data"]["recommendations"]]


@pytest.mark.django_db
def test_recommendations_do_not_reveal_health_goals_through_scores_or_ranking(
    center, api_client_for, internal_client_for
):
    """A caller without view_health_info gets the same recommendations whatever the customer's
    health goals and interests are: the goal fit raises a service's confidence and rank, and the
    services' goal tags are public (expected_benefit), so scores or order would give the goals away."""
    customer = center["customer"]
    callers = [api_client_for("MANAGER"), internal_client_for("MANAGER")]
    with_goals = [_recs_without_ids(c, customer.pk) for c in callers]
    admin_with_goals = _recs_without_ids(api_client_for("ADMIN"), customer.pk)
    customer.health_goals = ""
    customer.save(update_fields=["health_goals"])
    customer.preference.health_interests = []
    customer.preference.save(update_fields=["health_interests"])
    without_goals = [_recs_without_ids(c, customer.pk) for c in callers]
    assert with_goals == without_goals
    # ADMIN (view_health_info) still gets the goal-aware ranking
    assert admin_with_goals != _recs_without_ids(api_client_for("ADMIN"), customer.pk)


@pytest.mark.django_db
def test_issued_recommendation_payload_holds_no_health_goals(center, api_client_for):
    """The stored copy (shown read-only in the admin to any staff, and kept when a customer is
    anonymised) must not quote the health goals the ADMIN's response did."""
    from recommendations.models import IssuedRecommendation

    customer = center["customer"]
    recs = api_client_for("ADMIN").get(f"/api/v1/customers/{customer.pk}/recommendations").json()["data"]
    assert any("건강 목표(" in r["reason"] for r in recs["recommendations"])  # the ADMIN sees them
    stored = json.dumps(
        [row.payload for row in IssuedRecommendation.objects.filter(customer=customer)], ensure_ascii=False
    )
    assert "건강 목표(" not in stored
    public = {f'"expected_benefit": "{spec.expected_benefit}"' for spec in SERVICES}
    for text in public:  # the services' own descriptions are public; the customer's goals are not
        stored = stored.replace(text, "")
    assert "수면 개선" not in stored


def _gunicorn_access_line(conf_path: str | None) -> str:
    import datetime as dt
    import runpy
    import types

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    if conf_path:
        for key, value in runpy.run_path(conf_path).items():
            if key in cfg.settings:
                cfg.set(key, value)
    uri = "/api/v1/customers/search?q=010-1234-5678"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": "/api/v1/customers/search",
        "QUERY_STRING": "q=010-1234-5678",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    resp = types.SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    req = types.SimpleNamespace(
        headers=[], method="GET", uri=uri, path="/api/v1/customers/search", query="q=010-1234-5678", version=(1, 1)
    )
    atoms = Logger(cfg).atoms(resp, req, environ, dt.timedelta(seconds=0.01))
    return cfg.access_log_format % atoms


def test_gunicorn_access_log_leaves_out_the_query_string():
    from pathlib import Path

    from django.conf import settings

    assert "010-1234-5678" in _gunicorn_access_line(None)  # gunicorn's default would log it
    line = _gunicorn_access_line(str(Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"))
    assert "010-1234-5678" not in line
    assert '"GET /api/v1/customers/search HTTP/1.1" 200 10' in line


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
def test_session_recorded_by_staff_echoes_no_notes_and_audits_none(center, api_client_for, role):
    customer = center["customer"]
    r = api_client_for(role).post(
        f"/api/v1/customers/{customer.pk}/sessions",
        {"service": "brain", "session_notes": "불면증 약 복용 중", "satisfaction_rating": 5},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["data"]["session_notes"] is None
    row = AuditLog.objects.get(action="create")
    assert row.customer_ids == [customer.pk]
    assert "불면증" not in json.dumps(row.query, ensure_ascii=False)
    assert customer.sessions.filter(session_notes="불면증 약 복용 중").count() == 1
