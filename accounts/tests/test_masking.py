"""Masking formats of API.md and their edge cases; the visibility helpers built on them."""

from __future__ import annotations

import pytest

from accounts.masking import mask_address, mask_email, mask_mapping, mask_name, mask_phone, mask_value
from accounts.principal import Principal
from accounts.visibility import apply_health_policy, apply_pii_policy


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("김영희", "김*희"),  # API.md
        ("김영", "김*"),  # API.md: two characters
        ("남궁민수", "남**수"),  # API.md: four characters
        ("John Smith", "J********h"),  # API.md: foreign name, the space is masked too
        ("김", "*"),  # one character: nothing shown
        ("J", "*"),
        ("Maria", "M***a"),
        ("李小龍", "李*龍"),
        ("Nguyễn Văn An", "N***********n"),
        ("  김영희  ", "김*희"),  # surrounding spaces do not count
        ("", ""),
        ("   ", ""),
        (None, None),
    ],
)
def test_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),  # API.md
        ("01012345678", "010****5678"),  # API.md: no dashes
        ("02-123-4567", "02-***-4567"),  # API.md: Seoul
        ("02-1234-5678", "02-****-5678"),
        ("0212345678", "02****5678"),  # Seoul, no dashes
        ("031-123-4567", "031-***-4567"),
        ("010 1234 5678", "010 **** 5678"),
        ("010.1234.5678", "010.****.5678"),
        ("+82-10-1234-5678", "+82-**-****-5678"),  # international: country code stays
        ("010-12345678", "010-****5678"),  # two groups
        ("1588-1234", "****-1234"),  # too short to keep a prefix and hide enough
        ("123-4567", "***-4567"),
        ("010-1234-5678 (집)", "010-****-5678 (집)"),
        ("1234", "**34"),  # fewer than 7 digits: only the last two stay
        ("", ""),
        (None, None),
    ],
)
def test_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("kim@example.com", "k**@example.com"),  # API.md
        ("first.last@company.co.kr", "f*********@company.co.kr"),
        ("a@x.com", "a*@x.com"),  # one character: still at least one star
        ("@x.com", "*@x.com"),
        ("not-an-email", "n**********l"),  # no @: masked like a name
        ("", ""),
        (None, None),
    ],
)
def test_email(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("서울시 강남구 테헤란로 1", "서울시 강남구 ***"),  # API.md
        ("서울특별시 강남구 테헤란로 152 10층", "서울특별시 강남구 ***"),
        ("서울 강남구 테헤란로 1", "서울 강남구 ***"),
        ("경기도 성남시 분당구 정자로 5", "경기도 성남시 분당구 ***"),
        ("경북 안동시 풍산읍 하리 1", "경북 안동시 ***"),
        ("세종특별자치시 한누리대로 2130", "세종특별자치시 ***"),
        ("강남구 테헤란로 7", "강남구 ***"),
        ("서울시 강남구", "서울시 ***"),  # never the whole value
        ("서울시", "***"),
        ("123 Main St, Springfield", "***"),  # foreign: nothing shown
        ("", ""),
        (None, None),
    ],
)
def test_address(value, masked):
    assert mask_address(value) == masked


def test_mask_value_and_mapping():
    assert mask_value("emergency_contact", "010-9876-5432") == "010-****-5432"
    assert mask_value("memo", "그대로") == "그대로"
    row = {"name": "김영희", "phone": "01012345678", "email": None, "address": "서울시 강남구 역삼로 3", "id": 7}
    assert mask_mapping(row) == {
        "name": "김*희",
        "phone": "010****5678",
        "email": None,
        "address": "서울시 강남구 ***",
        "id": 7,
    }
    assert row["name"] == "김영희"  # the input is not modified


@pytest.mark.parametrize("value", ["010-1234-5678", "01012345678", "02-123-4567", "+82-10-1234-5678"])
def test_phone_masks_never_reveal_the_middle_digits(value):
    digits = [c for c in value if c.isdigit()]
    masked = mask_phone(value)
    assert len(masked) == len(value)
    assert masked.count("*") >= 3
    assert sum(c.isdigit() for c in masked) <= len(digits) - 3


ROW = {"name": "김영희", "phone": "010-1234-5678", "email": "kim@example.com", "address": "서울시 강남구 테헤란로 1"}
HEALTH = {"health_goals": ["수면 개선"], "healthMetrics": {"bp": 120}, "session_notes": "", "name": "김영희"}


def principal(role: str, *perms: str) -> Principal:
    return Principal(kind="user", name="u", role=role, perms=frozenset(perms))


@pytest.mark.parametrize("role", ["STAFF", "MANAGER"])
def test_pii_masked_for_non_admin(role):
    data, unmasked = apply_pii_policy(ROW, principal(role))
    assert data == {
        "name": "김*희",
        "phone": "010-****-5678",
        "email": "k**@example.com",
        "address": "서울시 강남구 ***",
    }
    assert unmasked == []


def test_pii_unmasked_for_admin_and_for_the_permission():
    for who in (principal("ADMIN"), principal("MANAGER", "accounts.view_unmasked_pii")):
        data, unmasked = apply_pii_policy(ROW, who)
        assert data == ROW
        assert unmasked == ["name", "phone", "email", "address"]


def test_health_fields_are_null_without_the_permission_and_the_shape_stays():
    data, shown = apply_health_policy(HEALTH, principal("MANAGER"))
    assert data == {"health_goals": None, "healthMetrics": None, "session_notes": None, "name": "김영희"}
    assert shown == []
    data, shown = apply_health_policy(HEALTH, principal("STAFF", "accounts.view_health_info"))
    assert data == HEALTH
    assert shown == ["health_goals", "healthMetrics"]  # empty values are not "revealed"
