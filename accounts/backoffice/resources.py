"""django-import-export pieces every back-office resource shares (customers, products, orders):
columns that mask personal data for a caller without ``view_unmasked_pii`` (in the file and in
the import preview's diff, which reads ``Field.export`` directly), widgets for people (Korean
labels, real numbers, yes/no, Korea's time, every error in Korean) and
:class:`BackOfficeResourceMixin`, the one mechanism for Korean headers, sheet names and
complete Korean row errors."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from import_export import fields, widgets
from import_export.results import RowResult

from accounts.masking import mask_value
from accounts.principal import ANONYMOUS, Principal
from core.spreadsheet import escape_formula

logger = logging.getLogger(__name__)


class MaskedField(fields.Field):
    """A column holding personal data: masked on the way out unless the principal may see it.

    ``mask_as`` names the masking rule (``name``, ``phone``, ``email``, ``address``,
    ``emergency_contact``). The resource sets ``principal`` on its own copy of the field.
    """

    def __init__(self, *args: Any, mask_as: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mask_as = mask_as
        self.principal: Principal = ANONYMOUS

    def export(self, instance: Any, **kwargs: Any) -> Any:
        value = super().export(instance, **kwargs)
        if self.principal.can_view_unmasked or not isinstance(value, str):
            return value
        return mask_value(self.mask_as, value)


class ChoiceValueWidget(widgets.Widget):
    """Accepts a choice's value or its Korean label (``vip`` or ``VIP``, ``female`` or ``여성``);
    anything else is a row error."""

    def __init__(self, choices: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.by_value = {str(c.value).lower(): str(c.value) for c in choices}
        self.by_label = {str(c.label): str(c.value) for c in choices}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        if text.lower() in self.by_value:
            return self.by_value[text.lower()]
        if text in self.by_label:
            return self.by_label[text]
        allowed = ", ".join(self.by_label)  # what the exported files show (여성, VIP, 배송 완료)
        raise ValueError(f"허용되지 않는 값입니다: {text!r} (가능한 값: {allowed})")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        # files are read by people: the Korean label (여성, VIP), which clean() accepts back
        if value is None or value == "":
            return ""
        return self.labels.get(str(value), str(value))

    @property
    def labels(self) -> dict[str, str]:
        return {v: k for k, v in self.by_label.items()}


class KoreanIntegerWidget(widgets.IntegerWidget):
    """An integer column whose errors read ``숫자가 아닙니다: 'abc'`` (not a Decimal class name),
    exported as a number (a spreadsheet can sum it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce_to_string=False, **kwargs)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = str(value if value is not None else "").strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"숫자가 아닙니다: {value!r}") from None
        if number != int(number):
            raise ValueError(f"정수가 아닙니다: {value!r}")
        return int(number)


class KoreanDecimalWidget(widgets.DecimalWidget):
    """An amount: ``9,900``, ``₩9,900`` or ``9900원`` read as 9900; errors in Korean; exported as
    a number (not text)."""

    def __init__(self, *, minimum: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(coerce_to_string=False, **kwargs)
        self.minimum = minimum

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        text = str(value if value is not None else "").strip()
        text = text.replace(",", "").replace("₩", "").removesuffix("원").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"숫자가 아닙니다: {value!r}") from None
        if not number.is_finite():
            raise ValueError(f"숫자가 아닙니다: {value!r}")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{self.minimum} 이상이어야 합니다: {value!r}")
        return number


class KoreanDateTimeWidget(widgets.DateTimeWidget):
    """A date and time in Korea's time (``2026-10-01 12:00``, ``2026.10.01``, a spreadsheet date);
    errors in Korean. Exported as text in Korea's time, which reads back the same."""

    FORMATS = (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%Y.%m.%d %H:%M",
        "%Y.%m.%d",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
    )

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d %H:%M")
        self.formats = self.FORMATS[1:2] + self.FORMATS  # render with the first

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except (ValueError, TypeError):
            raise ValueError(f"날짜·시간 형식이 아닙니다: {value!r} (예: 2026-10-01 12:00)") from None


class KoreanBooleanWidget(widgets.Widget):
    """Yes/no written as people do (``예``/``아니요``, ``Y``/``N``, ``O``/``X``, ``1``/``0``,
    ``TRUE``/``FALSE``); anything else is a row error (not a silent "no"). Exported as 예/아니요."""

    TRUE = {"예", "네", "y", "yes", "o", "1", "true", "참"}
    FALSE = {"아니요", "아니오", "n", "no", "x", "0", "false", "거짓"}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower().removesuffix(".0")
        if not text:
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"예/아니요 값이 아닙니다: {value!r} (예, 아니요, Y, N, 1, 0)")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return "예" if value else "아니요"


# An error a resource did not foresee (a database refusal, …): the row is refused with this,
# the cause goes to the log, never a traceback to the page.
UNEXPECTED_ROW_ERROR = "이 행을 저장하지 못했습니다. 값이 올바른지 확인하세요."


class BackOfficeResourceMixin:
    """What every back-office file shares (customers, products, orders), in one place:

    - built for one caller, ``Resource(principal=principal_of(request))``: personal data masked
      (:class:`MaskedField`), text cells escaped (``core.spreadsheet``);
    - Korean column headers (``headers``: field name → header). Files with the field names as
      headers (exported before the headers were Korean, or typed by hand) still import, and
      so do the ``legacy_headers`` (an old header → field name);
    - Korean labels instead of codes, real numbers, yes/no and Korea's time: the widgets above;
    - the sheet is named after the resource (``Meta.name``), not tablib's "Tablib Dataset";
    - every error of every row, in Korean, under the column's Korean header: the resource's own
      checks of the raw row (:meth:`row_errors`), each column's widget and the model's
      validation together; an error nobody foresaw is a Korean row error too (cause logged),
      never a traceback, and the row's writes are rolled back to a savepoint.

    The export file's name (``customer-2026-11-30.xlsx``, Korea's date) and the all-or-nothing
    confirmation are the admin's (``accounts.backoffice.import_export.AuditedImportExportMixin``).
    """

    headers: ClassVar[dict[str, str]] = {}
    legacy_headers: ClassVar[dict[str, str]] = {}

    def __init__(self, principal: Principal | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[call-arg]
        self.principal = principal or ANONYMOUS
        self._row_errors: dict[str, list[str]] = {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]  # this instance's copies
            if name in self.headers:
                field.column_name = self.headers[name]
            if isinstance(field, MaskedField):
                field.principal = self.principal

    def get_user_visible_fields(self) -> list[Any]:
        # The import page lists what a file may set: not the read-only (derived) columns.
        return [f for f in super().get_user_visible_fields() if not f.readonly]  # type: ignore[misc]

    @property
    def masked_columns(self) -> list[str]:
        return [f.attribute for f in self.fields.values() if isinstance(f, MaskedField)]  # type: ignore[attr-defined]

    @property
    def column_labels(self) -> dict[str, str]:
        """An error's key (field name, attribute or model field) → the file's column header."""
        labels: dict[str, str] = {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            labels[name] = field.column_name
            if field.attribute and "__" not in field.attribute:
                labels.setdefault(field.attribute, field.column_name)
        return labels

    # --- export ----------------------------------------------------------------------------
    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        # every exported text cell: no spreadsheet formula can run (core/spreadsheet.py)
        return escape_formula(super().export_field(field, instance, **kwargs))  # type: ignore[misc]

    def export(self, *args: Any, **kwargs: Any) -> Any:
        dataset = super().export(*args, **kwargs)  # type: ignore[misc]
        dataset.title = str(self._meta.name)  # type: ignore[attr-defined]  # the XLSX sheet's name
        return dataset

    # --- import ----------------------------------------------------------------------------
    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if dataset.headers:
            fields_ = self.fields  # type: ignore[attr-defined]
            old = {name: field.column_name for name, field in fields_.items()}
            old.update({header: fields_[name].column_name for header, name in self.legacy_headers.items()})
            dataset.headers = [old.get(str(h).strip(), str(h).strip()) for h in dataset.headers]
        super().before_import(dataset, **kwargs)  # type: ignore[misc]

    def row_errors(self, row: Any) -> dict[str, str]:
        """The resource's own checks of a raw row: field name → Korean message. The row's other
        errors (columns, model) are still collected; override, do not raise."""
        return {}

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        self._row_errors = {name: [message] for name, message in self.row_errors(row).items()}
        super().before_import_row(row, **kwargs)  # type: ignore[misc]

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors, self._row_errors = self._row_errors, {}
        try:
            super().import_instance(instance, row, **kwargs)  # type: ignore[misc]
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)  # with the model's own validation (import-export)

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> Any:
        savepoint = transaction.savepoint() if connection.in_atomic_block else None
        result = super().import_row(row, instance_loader, **kwargs)  # type: ignore[misc]
        if result.errors:
            if savepoint is not None:
                transaction.savepoint_rollback(savepoint)
            for error in result.errors:
                logger.warning("import row %s refused: %r", kwargs.get("row_number"), error.error)
            result.errors = []
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError({NON_FIELD_ERRORS: [UNEXPECTED_ROW_ERROR]})
        elif savepoint is not None:
            transaction.savepoint_commit(savepoint)
        return result

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        result = super().import_data(*args, **kwargs)  # type: ignore[misc]
        # the preview names each error's column as the file does (출생연도, not birth_year)
        labels = self.column_labels
        for invalid in result.invalid_rows:
            invalid.error_dict = {labels.get(key, key): messages for key, messages in invalid.error_dict.items()}
        return result
