"""django-import-export resources of the center (customers).

Exports and the import preview go through ``MaskedField`` (``accounts.backoffice.resources``),
so a user without ``view_unmasked_pii`` sees masked personal data in the file and in the
preview's diff (the diff reads ``Field.export`` directly, not the resource). Health information
is not part of any file: it stays in the application. Denormalised figures (visits, revenue) are
exported but never imported; ``customers.services.stats`` keeps them. Headers, labels, numbers,
sheet name and row errors for people: ``BackOfficeResourceMixin``.
"""

from __future__ import annotations

from typing import Any

from import_export import fields, resources, widgets

from accounts.backoffice.resources import (
    BackOfficeResourceMixin,
    ChoiceValueWidget,
    KoreanDateTimeWidget,
    KoreanDecimalWidget,
    KoreanIntegerWidget,
    MaskedField,
)
from customers.models import Customer, CustomerStatus, Gender, MembershipLevel

# The files' column headers are Korean; the English names of earlier exports are still accepted.
HEADERS = {
    "id": "고객 ID",
    "name": "이름",
    "phone": "전화번호",
    "email": "이메일",
    "birth_year": "출생연도",
    "gender": "성별",
    "address": "주소",
    "emergency_contact": "비상 연락처",
    "occupation": "직업",
    "membership_level": "멤버십",
    "customer_status": "고객 상태",
    "external_id": "외부 고객 ID",
    "country": "국가",
    "total_visits": "방문 수",
    "last_visit_date": "최근 방문일",
    "total_revenue": "총 매출(원)",
    "created_at": "등록일",
}


class CustomerResource(BackOfficeResourceMixin, resources.ModelResource):
    """Customers, one row each. Import matches on ``id`` (blank = new customer)."""

    headers = HEADERS
    id = fields.Field(attribute="id", widget=KoreanIntegerWidget())
    name = MaskedField(attribute="name", mask_as="name")
    phone = MaskedField(attribute="phone", mask_as="phone")
    email = MaskedField(attribute="email", mask_as="email")
    birth_year = fields.Field(attribute="birth_year", widget=KoreanIntegerWidget())
    address = MaskedField(attribute="address", mask_as="address")
    emergency_contact = MaskedField(attribute="emergency_contact", mask_as="emergency_contact")
    occupation = fields.Field(attribute="occupation")
    external_id = fields.Field(attribute="external_id")
    country = fields.Field(attribute="country")
    gender = fields.Field(attribute="gender", widget=ChoiceValueWidget(Gender))
    membership_level = fields.Field(attribute="membership_level", widget=ChoiceValueWidget(MembershipLevel))
    customer_status = fields.Field(attribute="customer_status", widget=ChoiceValueWidget(CustomerStatus))
    # derived or system-managed: exported for reading, never taken from a file
    total_visits = fields.Field(attribute="total_visits", readonly=True, widget=KoreanIntegerWidget())
    last_visit_date = fields.Field(
        attribute="last_visit_date", readonly=True, widget=widgets.DateWidget(coerce_to_string=False)
    )
    total_revenue = fields.Field(attribute="total_revenue", readonly=True, widget=KoreanDecimalWidget())
    created_at = fields.Field(attribute="created_at", readonly=True, widget=KoreanDateTimeWidget())

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

    def row_errors(self, row: Any) -> dict[str, str]:
        # Masked values (a file exported by a user without view_unmasked_pii must never be
        # written back over the real data) and an unknown id.
        errors = {
            column: "마스킹된 값(*)은 가져올 수 없습니다"
            for column in ("name", "phone", "email", "address", "emergency_contact")
            if isinstance(row.get(HEADERS[column]), str) and "*" in row[HEADERS[column]]
        }
        id_column = HEADERS["id"]
        raw_id = str(row.get(id_column) or "").strip().removesuffix(".0")
        if raw_id and (not raw_id.isdigit() or not Customer.objects.filter(pk=int(raw_id)).exists()):
            # An id names an existing customer to update; it never creates one with that id.
            errors["id"] = f"고객 ID {raw_id}을(를) 찾을 수 없습니다 (새 고객은 고객 ID를 비워 두세요)"
        if (raw_id and "id" in errors) or (not raw_id and id_column in row):
            row[id_column] = None  # a new, unsaved instance carries the row's other errors
        return errors
