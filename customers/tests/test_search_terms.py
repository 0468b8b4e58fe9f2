"""Search term rules (issue 10 item 1, issue 17): one classification, one masking, the same
matching in the API and the admin, the raw term sealed for investigators, enumeration alerts."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from accounts.models import AuditLog
from accounts.sealing import unseal
from accounts.search_terms import SearchTermKind, mask_search_term, search_term_kind
from customers.testing.factories import CustomerFactory, PackagePurchaseFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/search"


@pytest.mark.parametrize(
    "term, kind",
    [
        ("", SearchTermKind.EMPTY),
        ("   ", SearchTermKind.EMPTY),
        ("#42", SearchTermKind.CUSTOMER_ID),
        ("1861", SearchTermKind.PHONE_LAST4),
        ("37231861", SearchTermKind.PHONE),
        ("3723-1861", SearchTermKind.PHONE),
        ("010-3723-1861", SearchTermKind.PHONE),
        ("010 3723 1861", SearchTermKind.PHONE),
        ("87442", SearchTermKind.NUMBER),
        ("42", SearchTermKind.NUMBER),
        ("kim@example.com", SearchTermKind.EMAIL),
        ("park@", SearchTermKind.EMAIL),
        ("김채원", SearchTermKind.NAME),
        ("John Smith", SearchTermKind.NAME),
        ("010-12", SearchTermKind.NAME),  # separators with too few digits: not a phone
    ],
)
def test_search_term_kind(term, kind):
    assert search_term_kind(term) == kind


@pytest.mark.parametrize(
    "term, masked",
    [
        ("010-3723-1861", "010-****-1861"),
        ("01037231861", "010****1861"),
        ("1861", "1861"),
        ("#42", "#42"),
        ("42", "42"),
        ("kim@example.com", "k**@example.com"),
        ("김채원", "김*원"),
        ("  김채원 ", "김*원"),
    ],
)
def test_mask_search_term(term, masked):
    assert mask_search_term(term) == masked


@pytest.fixture
def chae(db):
    other = CustomerFactory(name="김채린", phone="010-3723-9999", email="kc@example.com")
    target = CustomerFactory(name="김채원", phone="010-3723-1861", email="chaewon@example.com")
    return {"target": target, "other": other}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["customer_id"] for row in response.json()["data"]["customers"]]


# Guesses that are right but only partly: a masked caller must learn nothing from them.
PARTIAL_GUESSES = ["37231", "723186", "3723186", "010-3723-186", "chaewon@", "chaewon", "example.com", "김채", "채원"]


@pytest.mark.parametrize("q", PARTIAL_GUESSES)
def test_masked_caller_learns_nothing_from_partial_guesses(api_client_for, chae, q):
    assert _ids(api_client_for("STAFF").get(URL, {"q": q})) == []
    assert _ids(api_client_for("MANAGER").get(URL, {"q": q})) == []


@pytest.mark.parametrize(
    "q", ["010-3723-1861", "01037231861", "37231861", "3723-1861", "1861", "김채원", "ChaeWon@Example.com"]
)
def test_masked_caller_finds_by_whole_value_or_last_four(api_client_for, chae, q):
    assert _ids(api_client_for("STAFF").get(URL, {"q": q})) == [chae["target"].pk]


def test_unmasked_caller_keeps_partial_matching(api_client_for, chae, users):
    assert sorted(_ids(api_client_for("ADMIN").get(URL, {"q": "김채"}))) == sorted(
        [chae["target"].pk, chae["other"].pk]
    )
    assert _ids(api_client_for("ADMIN").get(URL, {"q": "chaewon"})) == [chae["target"].pk]


def test_api_audit_row_keeps_the_term_masked_sealed_and_hashed(api_client_for, chae):
    api_client_for("STAFF").get(URL, {"q": "37231861"})
    row = AuditLog.objects.get(action="search")
    assert row.query["q"] == "****1861"
    assert row.query["q_kind"] == "phone"
    assert unseal(row.query["q_sealed"]) == "37231861"
    assert len(row.query["q_hash"]) == 32
    # ADMIN reads the raw term back through the audit log API; nobody else reaches that route
    logs = api_client_for("ADMIN").get("/api/v1/audit/logs", {"action": "search"}).json()["data"]["logs"]
    assert logs[0]["query"]["q_raw"] == "37231861"
    assert api_client_for("MANAGER").get("/api/v1/audit/logs").status_code == 403


# --- the admin follows the same rules ----------------------------------------------------
@pytest.mark.parametrize("q", ["1861", "37231861", "010-3723-1861", "김채원", "chaewon@example.com"])
def test_admin_staff_finds_customer_by_whole_value_or_last_four(backoffice_client_for, chae, q):
    client = backoffice_client_for("STAFF")
    response = client.get(reverse("admin:customers_customer_changelist"), {"q": q})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [chae["target"].pk]


@pytest.mark.parametrize("q", PARTIAL_GUESSES)
def test_admin_staff_learns_nothing_from_partial_guesses(backoffice_client_for, chae, q):
    client = backoffice_client_for("STAFF")
    response = client.get(reverse("admin:customers_customer_changelist"), {"q": q})
    assert list(response.context["cl"].result_list) == []


def test_admin_related_changelist_uses_the_same_rules(backoffice_client_for, chae):
    purchase = PackagePurchaseFactory(customer=chae["target"])
    PackagePurchaseFactory(customer=chae["other"])
    client = backoffice_client_for("STAFF")
    url = reverse("admin:customers_packagepurchase_changelist")
    assert [p.pk for p in client.get(url, {"q": "1861"}).context["cl"].result_list] == [purchase.pk]
    assert list(client.get(url, {"q": "김채"}).context["cl"].result_list) == []
    # the package name is still searched as before
    assert purchase.pk in [p.pk for p in client.get(url, {"q": purchase.package.name}).context["cl"].result_list]


def test_admin_unmasked_user_keeps_partial_matching(backoffice_client_for, chae):
    client = backoffice_client_for("ADMIN", is_superuser=True)
    response = client.get(reverse("admin:customers_customer_changelist"), {"q": "김채"})
    assert {c.pk for c in response.context["cl"].result_list} == {chae["target"].pk, chae["other"].pk}


def test_admin_search_audit_row_is_masked_and_sealed(backoffice_client_for, chae):
    client = backoffice_client_for("STAFF")
    client.get(reverse("admin:customers_customer_changelist"), {"q": "010-3723-1861"})
    row = AuditLog.objects.filter(action="list").latest("id")
    assert row.query["q"] == "010-****-1861"
    assert unseal(row.query["q_sealed"]) == "010-3723-1861"


# --- enumeration -------------------------------------------------------------------------
def test_many_distinct_searches_raise_one_alert_and_one_warning(api_client_for, chae, settings, caplog):
    settings.SEARCH_ENUMERATION_LIMIT = 5
    client = api_client_for("STAFF")
    with caplog.at_level(logging.WARNING, logger="security"):
        for i in range(5):
            client.get(URL, {"q": f"0101234{i:04d}"})
            client.get(URL, {"q": f"0101234{i:04d}"})  # the same term again is not a new guess
        assert not AuditLog.objects.filter(action="alert").exists()
        for i in range(5, 12):
            client.get(URL, {"q": f"0101234{i:04d}"})
    alert = AuditLog.objects.get(action="alert")
    assert alert.actor_name == client.user.username
    assert alert.query == {"alert": "search_enumeration", "distinct_terms": 6, "window_seconds": 600, "limit": 5}
    warnings = [r for r in caplog.records if r.name == "security"]
    assert len(warnings) == 1
    # another principal has its own counter
    api_client_for("MANAGER").get(URL, {"q": "01099990000"})
    assert AuditLog.objects.filter(action="alert").count() == 1


def test_admin_searches_count_towards_enumeration(backoffice_client_for, chae, settings):
    settings.SEARCH_ENUMERATION_LIMIT = 2
    client = backoffice_client_for("STAFF")
    for q in ("김가나", "김다라", "김마바"):
        client.get(reverse("admin:customers_customer_changelist"), {"q": q})
    assert AuditLog.objects.filter(action="alert", query__alert="search_enumeration").count() == 1


# --- one classifier, one mask: the API, the admin and the audit agree --------------------
@pytest.mark.parametrize(
    ("q", "masked", "kind"),
    [
        ("37231861", "****1861", "phone"),
        ("1861", "1861", "phone_last4"),
        ("#42", "#42", "customer_id"),
        ("87442", "***42", "number"),
        ("ChaeWon@Example.com", "C******@Example.com", "email"),
        ("김채원", "김*원", "name"),
    ],
)
def test_api_and_admin_audit_the_same_masked_term(api_client_for, backoffice_client_for, chae, q, masked, kind):
    assert (mask_search_term(q), str(search_term_kind(q))) == (masked, kind)
    api_client_for("STAFF").get(URL, {"q": q})
    backoffice_client_for("STAFF").get(reverse("admin:customers_customer_changelist"), {"q": q})
    api_row = AuditLog.objects.get(action=AuditLog.Action.SEARCH)
    admin_row = AuditLog.objects.get(action=AuditLog.Action.LIST, path=reverse("admin:customers_customer_changelist"))
    for row in (api_row, admin_row):
        assert (row.query["q"], row.query["q_kind"], unseal(row.query["q_sealed"])) == (masked, kind, q)
    assert api_row.query["q_hash"] == admin_row.query["q_hash"]
