"""Error codes are enum members with Korean messages, and nothing in the tree bypasses them.

The runtime check (``ApiError`` raises ``TypeError`` on anything but an ``ErrorCodeEnum``
member) only fires on the paths a test runs; the tree scans below also cover the paths no
test reaches: every ``ApiError(...)`` of the tree names a member of a declared enum, every
``audit_log``/``audit_read`` action is an ``AuditLog.Action`` member and every role given to
``has_role``/``role_at_least`` is a ``Role`` member.
"""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from pathlib import Path

import pytest

from commerce.errors import CommerceError
from core.envelope import error_body
from core.errors import (
    ApiError,
    ErrorCode,
    ErrorCodeEnum,
    InsufficientData,
    ModelNotTrained,
    NotFoundError,
    ServiceUnavailable,
    ValidationFailed,
    error_code,
    error_code_enums,
    message_for,
)
from core.exceptions import classify
from core.schema import error_envelope
from customers.errors import CenterError

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SKIP_DIRS = {".venv", "node_modules", ".git", "migrations", "__pycache__"}

# API.md "Envelope": "Error codes, at least: …" (the shared API.md is not part of the repo)
API_MD_CODES = [
    "VALIDATION_ERROR",
    "INSUFFICIENT_DATA",
    "MISSING_TOKEN",
    "INVALID_TOKEN",
    "UNAUTHORIZED_ACCESS",
    "CUSTOMER_NOT_FOUND",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMIT_EXCEEDED",
    "IMAGE_DOWNLOAD_FAILED",
    "INTERNAL_ERROR",
]


class NotAnErrorCode(StrEnum):
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"


# --- the runtime check ---------------------------------------------------------------------


@pytest.mark.parametrize("klass", [ApiError, NotFoundError, ValidationFailed, InsufficientData, ModelNotTrained])
@pytest.mark.parametrize("code", ["CUSTOMER_NOT_FOUND", "NO_SUCH_CODE", "", NotAnErrorCode.CUSTOMER_NOT_FOUND, 404])
def test_a_code_that_is_not_a_member_is_refused(klass, code):
    with pytest.raises(TypeError, match="ErrorCodeEnum member"):
        klass(code)


def test_a_member_gives_its_message_and_keeps_the_status_and_details():
    error = NotFoundError(CenterError.SESSION_NOT_FOUND, details={"session_id": 7})
    assert error.code is CenterError.SESSION_NOT_FOUND
    assert (error.status_code, error.message, error.details) == (
        404,
        "이미 취소되었거나 없는 이용 기록입니다",
        {"session_id": 7},
    )
    assert classify(error)[:4] == (
        404,
        "SESSION_NOT_FOUND",
        "이미 취소되었거나 없는 이용 기록입니다",
        {"session_id": 7},
    )
    custom = ApiError(CommerceError.ORDER_NOT_OWNED, "다른 메시지", status=409)
    assert (custom.code, custom.message, custom.status_code) == ("ORDER_NOT_OWNED", "다른 메시지", 409)


def test_subclasses_default_to_their_own_member():
    assert ValidationFailed().code is ErrorCode.VALIDATION_ERROR
    assert ValidationFailed().message == "입력값이 올바르지 않습니다"
    assert ModelNotTrained().code is ErrorCode.MODEL_NOT_TRAINED
    unavailable = ServiceUnavailable(retry_after=9)
    assert (unavailable.code, unavailable.status_code, unavailable.headers) == (
        ErrorCode.SERVICE_UNAVAILABLE,
        503,
        {"Retry-After": "9"},
    )


def test_a_subclass_with_a_string_class_code_is_refused_when_raised():
    class Broken(ApiError):
        code = "BROKEN"

    with pytest.raises(TypeError):
        Broken()


def test_an_error_survives_pickle_and_copy():
    import copy
    import pickle

    from imaging.errors import FetchFailure, ImageSourceError

    for error in (
        NotFoundError(CenterError.SESSION_NOT_FOUND, details={"id": 3}),
        ServiceUnavailable(retry_after=7),
        ImageSourceError(FetchFailure.TIMEOUT, source="url"),
    ):
        for again in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):  # noqa: S301 - our own bytes
            assert type(again) is type(error)
            assert (again.code, again.message, again.status_code, again.details, str(again)) == (
                error.code,
                error.message,
                error.status_code,
                error.details,
                str(error),
            )
            assert getattr(again, "headers", None) == getattr(error, "headers", None)


def test_the_envelope_takes_the_message_from_the_member():
    body = error_body(CommerceError.CATEGORY_NOT_FOUND, request_id="r1")
    assert body["error"] == {"code": "CATEGORY_NOT_FOUND", "message": "카테고리를 찾을 수 없습니다", "details": {}}
    # a string is looked up in the registry (the schema's examples); an unknown one falls back
    assert message_for("REPORT_NOT_READY") == "리포트가 아직 완성되지 않았습니다"
    assert message_for("NO_SUCH_CODE") == "오류가 발생했습니다"


# --- the registry --------------------------------------------------------------------------


def test_every_app_enum_is_registered():
    names = {f"{klass.__module__}.{klass.__name__}" for klass in error_code_enums()}
    assert names == {
        "core.errors.ErrorCode",
        "customers.errors.CenterError",
        "commerce.errors.CommerceError",
        "ml.errors.MlErrorCode",
        "recommendations.errors.RecommendationError",
        "imaging.errors.ImagingErrorCode",
        "etl.errors.EtlErrorCode",
        "reports.errors.ReportError",
    }


def test_every_code_is_unique_named_after_itself_with_a_korean_message():
    seen: dict[str, type[ErrorCodeEnum]] = {}
    for klass in error_code_enums():
        for member in klass:
            assert member.value not in seen, f"{member.value} in {seen.get(member.value)} and {klass}"
            seen[member.value] = klass
            assert member.value == member.name
            assert re.fullmatch(r"[A-Z][A-Z_]+[A-Z]", member.value)
            assert HANGUL.search(member.message), member
            assert error_code(member.value) is member
    assert len(seen) == 51


@pytest.mark.parametrize("code", API_MD_CODES)
def test_the_codes_api_md_lists_exist(code):
    member = error_code(code)
    assert member is not None and member.value == code
    assert type(member) is ErrorCode  # the platform's codes live in core


def _documented_codes() -> set[str]:
    """Codes the docs name next to an HTTP error status (``404 `PRODUCT_NOT_FOUND```)."""
    found: set[str] = set()
    for path in sorted((ROOT / "docs").glob("*.md")):
        for line in path.read_text().splitlines():
            if re.search(r"\b[45]\d\d\b", line):
                found.update(re.findall(r"`([A-Z][A-Z]+(?:_[A-Z]+)+)`", line))
    return found


def test_the_codes_the_docs_name_with_a_status_exist(settings):
    documented = _documented_codes()
    assert {"PRODUCT_NOT_FOUND", "SYNC_IN_PROGRESS", "ETL_JOB_NOT_FOUND", "INVALID_STATUS_TRANSITION"} <= documented
    # settings share the spelling (``MAX_BODY_BYTES`` … 413): a setting or a documented variable
    configuration = (ROOT / "docs" / "configuration.md").read_text()
    codes = {name for name in documented if not hasattr(settings, name) and f"`{name}`" not in configuration}
    assert len(codes) >= 35
    assert sorted(code for code in codes if error_code(code) is None) == []


def test_the_schema_lists_every_code():
    codes = error_envelope()["properties"]["error"]["properties"]["code"]["enum"]
    assert codes == sorted({member.value for klass in error_code_enums() for member in klass})
    assert "SESSION_NOT_FOUND" in codes and "RECOMMENDATION_NOT_FOUND" in codes


# --- the tree ------------------------------------------------------------------------------


def _trees() -> list[tuple[Path, ast.Module]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            out.append((path, ast.parse(path.read_text())))
    return out


def _name(call: ast.Call) -> str | None:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def _error_classes(trees: list[tuple[Path, ast.Module]]) -> tuple[set[str], set[str]]:
    """The ApiError family, and those of its classes whose ``__init__`` takes no code first."""
    family, own_init = {"ApiError"}, set()
    grew = True
    while grew:
        grew = False
        for _path, tree in trees:
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in family:
                    continue
                if {getattr(b, "id", None) or getattr(b, "attr", None) for b in node.bases} & family:
                    family.add(node.name)
                    grew = True
                    if any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body):
                        own_init.add(node.name)
    return family, own_init


@pytest.fixture(scope="module")
def trees():
    return _trees()


def test_every_code_raised_in_the_tree_is_a_member_of_a_declared_enum(trees):
    family, own_init = _error_classes(trees)
    enums = {klass.__name__: klass for klass in error_code_enums()}
    assert {"NotFoundError", "AccountLocked", "ImageSourceError"} <= family
    wrong, members = [], 0
    for path, tree in trees:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node) in family - own_init):
                continue
            args = node.args[:1] + [k.value for k in node.keywords if k.arg == "code"]
            for arg in args:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(arg, ast.Constant):
                    wrong.append(f"{where}: literal {arg.value!r}")
                elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id in enums:
                    members += 1
                    if arg.attr not in enums[arg.value.id].__members__:
                        wrong.append(f"{where}: {arg.value.id}.{arg.attr} is not declared")
    assert wrong == []
    assert members >= 40  # the scan does see the raise sites


def test_every_audit_action_in_the_tree_is_a_member(trees):
    writers = {"audit_log", "audit_read"}
    wrong = []
    for path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in writers:
                for kw in node.keywords:
                    if kw.arg == "action":
                        arms = [kw.value.body, kw.value.orelse] if isinstance(kw.value, ast.IfExp) else [kw.value]
                        wrong += [
                            f"{path.relative_to(ROOT)}:{node.lineno}" for a in arms if isinstance(a, ast.Constant)
                        ]
    assert wrong == []


def test_every_role_given_to_a_role_check_is_a_member(trees):
    wrong = []
    for path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in {"has_role", "role_at_least"}:
                # the least role: has_role(least), role_at_least(stored_role, least)
                position = 0 if _name(node) == "has_role" else 1
                least = node.args[position : position + 1] + [k.value for k in node.keywords if k.arg == "least"]
                literal = [a for a in least if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                wrong += [f"{path.relative_to(ROOT)}:{node.lineno}" for _ in literal]
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                targets = [getattr(t, "id", None) or getattr(t, "attr", "") for t in node.targets]
                if any(t.lower().endswith("least_role") for t in targets) and node.value.value is not None:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []
