"""django-import-export pieces every back-office resource shares: columns that mask personal
data for a caller without ``view_unmasked_pii`` (in the file and in the import preview's diff,
which reads ``Field.export`` directly), resources built for one caller, no spreadsheet formula
in any exported cell, and widgets whose errors read in Korean."""

from __future__ import annotations

from typing import Any

from import_export import fields, widgets

from accounts.masking import mask_value
from accounts.principal import ANONYMOUS, Principal
from core.spreadsheet import escape_formula


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
        allowed = ", ".join(self.by_value.values())
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


class PrincipalResourceMixin:
    """A resource built for one caller: ``Resource(principal=principal_of(request))``."""

    def get_user_visible_fields(self) -> list[Any]:
        # The import page lists what a file may set: not the read-only (derived) columns.
        return [f for f in super().get_user_visible_fields() if not f.readonly]  # type: ignore[misc]

    def __init__(self, principal: Principal | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[call-arg]
        self.principal = principal or ANONYMOUS
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, MaskedField):
                field.principal = self.principal

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        # every exported text cell: no spreadsheet formula can run (core/spreadsheet.py)
        return escape_formula(super().export_field(field, instance, **kwargs))  # type: ignore[misc]

    @property
    def masked_columns(self) -> list[str]:
        return [f.attribute for f in self.fields.values() if isinstance(f, MaskedField)]  # type: ignore[attr-defined]
