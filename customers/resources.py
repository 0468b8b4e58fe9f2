"""django-import-export resources of the center (customers).

Exports and the import preview go through :class:`MaskedField`, so a user without
``view_unmasked_pii`` sees masked personal data in the file and in the preview's diff (the
diff reads ``Field.export`` directly, not the resource). Health information is not part of any
file: it stays in the application. Denormalised figures (visits, revenue) are exported but
never imported; ``customers.services.stats`` keeps them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from accounts.masking import mask_value
from accounts.principal import ANONYMOUS, Principal
from core.spreadsheet import escape_formula
from customers.models import Customer, CustomerStatus, Gender, MembershipLevel


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
        return "" if value is None else str(value)


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
        return [f.column_name for f in self.fields.values() if isinstance(f, MaskedField)]  # type: ignore[attr-defined]


class CustomerResource(PrincipalResourceMixin, resources.ModelResource):
    """Customers, one row each. Import matches on ``id`` (blank = new customer)."""

    id = fields.Field(attribute="id", column_name="id", widget=widgets.IntegerWidget())
    name = MaskedField(attribute="name", column_name="name", mask_as="name")
    phone = MaskedField(attribute="phone", column_name="phone", mask_as="phone")
    email = MaskedField(attribute="email", column_name="email", mask_as="email")
    address = MaskedField(attribute="address", column_name="address", mask_as="address")
    emergency_contact = MaskedField(
        attribute="emergency_contact", column_name="emergency_contact", mask_as="emergency_contact"
    )
    gender = fields.Field(attribute="gender", column_name="gender", widget=ChoiceValueWidget(Gender))
    membership_level = fields.Field(
        attribute="membership_level", column_name="membership_level", widget=ChoiceValueWidget(MembershipLevel)
    )
    customer_status = fields.Field(
        attribute="customer_status", column_name="customer_status", widget=ChoiceValueWidget(CustomerStatus)
    )
    # derived or system-managed: exported for reading, never taken from a file
    total_visits = fields.Field(attribute="total_visits", column_name="total_visits", readonly=True)
    last_visit_date = fields.Field(
        attribute="last_visit_date", column_name="last_visit_date", readonly=True, widget=widgets.DateWidget()
    )
    total_revenue = fields.Field(
        attribute="total_revenue", column_name="total_revenue", readonly=True, widget=widgets.DecimalWidget()
    )
    created_at = fields.Field(
        attribute="created_at", column_name="created_at", readonly=True, widget=widgets.DateTimeWidget()
    )

    class Meta:
        model = Customer
        name = "고객"
        fields = (
            "id",
            "name",
            "phone",
            "email",
            "birth_year",
            "gender",
            "address",
            "emergency_contact",
            "occupation",
            "membership_level",
            "customer_status",
            "external_id",
            "country",
            "total_visits",
            "last_visit_date",
            "total_revenue",
            "created_at",
        )
        export_order = fields
        import_id_fields = ("id",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_bulk = False

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # A masked value must never be written back over the real one (a file exported by a
        # user without view_unmasked_pii and re-imported).
        masked = {
            column: "마스킹된 값(*)은 가져올 수 없습니다"
            for column in ("name", "phone", "email", "address", "emergency_contact")
            if isinstance(row.get(column), str) and "*" in row[column]
        }
        if masked:
            raise ValidationError(masked)
        raw_id = str(row.get("id") or "").strip()
        if raw_id:
            # An id names an existing customer to update; it never creates one with that id.
            if not raw_id.isdigit() or not Customer.objects.filter(pk=int(raw_id)).exists():
                raise ValidationError({"id": f"고객 ID {raw_id}을(를) 찾을 수 없습니다 (새 고객은 id를 비워 두세요)"})
        elif "id" in row:
            row["id"] = None
