"""Codemod (issue 9 item 5): tests use the apps' test support instead of other apps' test modules.

    .venv/bin/python scripts/codemod_test_support.py [root]   # idempotent; re-run after merging branches that add tests

- ``<app>.tests.factories`` → ``<app>.testing.factories`` (customers, commerce);
  ``UserFactory`` from ``accounts.testing.factories``;
- ``from conftest import make_internal_token`` → ``from accounts.testing.fixtures import …``;
- ``admin_client(make_user, "ROLE", …)`` (customers/tests/admin_fixtures.py) → the fixture
  ``backoffice_client_for("ROLE", …)``, added to the enclosing test's or fixture's arguments;
- moved helpers: ``ml.tests.center_data`` → ``customers.testing.history``, ``core.tests.urls`` →
  ``accounts.testing.urls``, ``imaging.tests.conftest`` helpers → ``imaging.tests.images``.

Run ``ruff check --fix`` and ``ruff format`` afterwards (import order).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def fix_admin_client(text: str) -> str:
    if "admin_client(" not in text:
        return text
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    # functions whose body calls admin_client(...) directly (innermost def)
    targets: list[ast.FunctionDef] = []

    def visit(node: ast.AST, fn: ast.FunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child)
            else:
                if (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Name)
                    and child.func.id == "admin_client"
                    and fn is not None
                    and fn not in targets
                ):
                    targets.append(fn)
                visit(child, fn)

    visit(tree, None)
    # add the fixture to each target's signature (bottom-up so offsets stay valid)
    for fn in sorted(targets, key=lambda f: f.lineno, reverse=True):
        names = [a.arg for a in fn.args.args]
        if "backoffice_client_for" in names:
            continue
        uses_make_user = False
        body_src = "".join(lines[fn.body[0].lineno - 1 : fn.end_lineno])
        stripped = re.sub(r"admin_client\(\s*make_user\s*,", "", body_src)
        uses_make_user = re.search(r"\bmake_user\b", stripped) is not None
        head_start = fn.lineno - 1
        head_end = fn.body[0].lineno - 1
        head = "".join(lines[head_start:head_end])
        if "make_user" in names and not uses_make_user:
            head = re.sub(r"\bmake_user\b", "backoffice_client_for", head, count=1)
        elif names:
            head = re.sub(r"\(", "(backoffice_client_for, ", head, count=1)
        else:
            head = re.sub(r"\(\)", "(backoffice_client_for)", head, count=1)
        lines[head_start:head_end] = [head]
    text = "".join(lines)
    text = re.sub(r"\badmin_client\(\s*make_user\s*,\s*", "backoffice_client_for(", text)
    text = re.sub(
        r"^[ \t]*from customers\.tests\.admin_fixtures import admin_client\n(\n(?=\s*\S))?", "", text, flags=re.M
    )
    return text


MOVED = {
    "from ml.tests.center_data import": "from customers.testing.history import",
    "from .center_data import build_center_history": "from customers.testing.history import build_center_history",
    "from core.tests.urls import": "from accounts.testing.urls import",
    "from imaging.tests.conftest import": "from imaging.tests.images import",
    "from customers.testing.fixtures import grant_role_permissions": (
        "from accounts.testing.fixtures import grant_role_permissions"
    ),
}


def fix_user_factory(text: str) -> str:
    """``UserFactory`` imported with the center factories → its own import from accounts."""
    pattern = re.compile(r"^([ \t]*)from customers\.testing\.factories import (?:\(([^)]*)\)|([^\n(]+)$)", re.M)

    def repl(match: re.Match) -> str:
        indent = match.group(1)
        names = [n.strip() for n in (match.group(2) or match.group(3)).replace("\n", ",").split(",")]
        names = [n for n in names if n]
        if "UserFactory" not in names:
            return match.group(0)
        rest = [n for n in names if n != "UserFactory"]
        out = f"{indent}from accounts.testing.factories import UserFactory"
        if rest:
            out += f"\n{indent}from customers.testing.factories import {', '.join(rest)}"
        return out

    return pattern.sub(repl, text)


def main() -> None:
    for path in sorted(ROOT.glob("**/tests/**/*.py")):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        new = text.replace("customers.tests.factories", "customers.testing.factories")
        new = new.replace("commerce.tests.factories", "commerce.testing.factories")
        new = new.replace(
            "from conftest import make_internal_token", "from accounts.testing.fixtures import make_internal_token"
        )
        new = new.replace(
            "from accounts.testing.fixtures import grant_role_permissions",
            "from accounts.testing.fixtures import grant_role_permissions",
        )
        for before, after in MOVED.items():
            new = new.replace(before, after)
        new = fix_user_factory(new)
        new = fix_admin_client(new)
        if new != text:
            path.write_text(new)
            print("rewrote", path)


if __name__ == "__main__":
    main()
