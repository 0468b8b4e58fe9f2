"""Input validation of the customer API, and the output shapes for the OpenAPI schema.

Responses are built by the selectors as plain dicts (seed 004 shapes) and masked in the views;
the ``*Output`` serializers declare those shapes (``ReadView.output_serializer``) so the schema
shows real fields. ``accounts/tests/test_read_pipeline.py`` checks them against real responses."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api.fields import CommaListField
from core.pagination import PaginationSerializer
from customers.models import (
    CommunicationPreference,
    CustomerStatus,
    Gender,
    MembershipLevel,
    PackagePurchase,
    RiskLevel,
    Service,
    ServiceType,
    TimeSlot,
)
from customers.selectors.detail import MAX_HISTORY_LIMIT
from customers.selectors.search import MAX_PAGE_SIZE, PACKAGE_STATUSES, SORT_FIELDS, SearchParams


class LowercaseChoiceField(serializers.ChoiceField):
    """Accepts ``VIP`` as well as ``vip`` (the API shows levels upper-case)."""

    def to_internal_value(self, data: object) -> str:
        return super().to_internal_value(str(data).strip().lower())


class DetailQuerySerializer(serializers.Serializer):
    history_limit = serializers.IntegerField(min_value=1, max_value=MAX_HISTORY_LIMIT, default=20)


class PreferenceUpdateSerializer(serializers.Serializer):
    preferred_services = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceType.values), max_length=5, required=False
    )
    preferred_time = serializers.ChoiceField(choices=[*TimeSlot.values, ""], required=False)
    preferred_intensity = serializers.ChoiceField(choices=["low", "medium", "high", ""], required=False)
    health_interests = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    communication_preference = serializers.ChoiceField(choices=CommunicationPreference.values, required=False)
    marketing_consent = serializers.BooleanField(required=False)


class CustomerUpdateSerializer(serializers.Serializer):
    """PUT/PATCH body of ``/customers/{id}/detail``: any subset of these fields (the seed's
    PUT example sends a subset, so PUT is a partial update as well). Unknown or derived
    fields are refused, never silently ignored."""

    name = serializers.CharField(max_length=100, required=False)
    phone = serializers.RegexField(r"^[0-9+\- ]{7,20}$", max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=[*Gender.values, ""], required=False)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    emergency_contact = serializers.RegexField(r"^[0-9+\- ]{7,20}$", max_length=20, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    membership_level = LowercaseChoiceField(choices=MembershipLevel.values, required=False)
    customer_status = serializers.ChoiceField(choices=CustomerStatus.values, required=False)
    health_goals = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    preferred_time_slots = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeSlot.values), max_length=4, required=False
    )
    assigned_staff = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    preferences = PreferenceUpdateSerializer(required=False)

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["변경할 수 없는 항목입니다"] for name in unknown})
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["변경할 항목이 없습니다"]})
        return attrs


class CustomerCreateSerializer(CustomerUpdateSerializer):
    name = serializers.CharField(max_length=100)
    external_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["알 수 없는 항목입니다"] for name in unknown})
        return attrs


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, trim_whitespace=True)
    service_filter = CommaListField(choices=ServiceType.values, required=False)
    package_status = serializers.ChoiceField(choices=PACKAGE_STATUSES, required=False)
    membership_level = LowercaseChoiceField(choices=MembershipLevel.values, required=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.values, required=False)
    last_visit_from = serializers.DateField(required=False)
    last_visit_to = serializers.DateField(required=False)
    sort_by = serializers.CharField(required=False, default="-last_visit")
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False)
    page = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    size = serializers.IntegerField(min_value=1, default=20)

    def validate_sort_by(self, value: str) -> str:
        if value.lstrip("-") not in SORT_FIELDS:
            raise serializers.ValidationError(f"허용 값: {', '.join(SORT_FIELDS)} (앞에 '-'를 붙이면 내림차순)")
        return value

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("last_visit_from"), attrs.get("last_visit_to")
        if start and end and start > end:
            raise serializers.ValidationError({"last_visit_from": ["last_visit_to보다 늦을 수 없습니다"]})
        return attrs

    def to_params(self) -> SearchParams:
        data = self.validated_data
        sort_by = data["sort_by"]
        field = sort_by.lstrip("-")
        if "order" in data:
            descending = data["order"] == "desc"
        elif sort_by.startswith("-"):
            descending = True
        elif "sort_by" in self.initial_data:
            descending = False
        else:
            descending = True
        return SearchParams(
            q=data.get("q", ""),
            service_filter=tuple(data.get("service_filter") or ()),
            package_status=data.get("package_status"),
            membership_level=data.get("membership_level"),
            risk_level=data.get("risk_level"),
            last_visit_from=data.get("last_visit_from"),
            last_visit_to=data.get("last_visit_to"),
            sort_by=field,
            descending=descending,
            page=data["page"],
            # larger pages are clipped to the maximum (the response says which size applied)
            size=min(data["size"], MAX_PAGE_SIZE),
        )


class SessionCreateSerializer(serializers.Serializer):
    """POST body of ``/customers/{id}/sessions`` (recorded by ``session_record``)."""

    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.filter(is_active=True))
    service_date = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True)
    satisfaction_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    session_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    staff = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    purchase = serializers.PrimaryKeyRelatedField(
        queryset=PackagePurchase.objects.all(), required=False, allow_null=True
    )
    redeem = serializers.BooleanField(required=False, default=True)


# --- output shapes (schema only) -------------------------------------------------------------

MASKED = "역할에 따라 마스킹"
HEALTH = "건강정보: view_health_info 권한이 없으면 null"


class CustomerOutput(serializers.Serializer):
    customer_id = serializers.IntegerField()
    name = serializers.CharField(help_text=MASKED)
    phone = serializers.CharField(help_text=MASKED)
    email = serializers.CharField(help_text=MASKED)
    birth_year = serializers.IntegerField(allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.values, allow_null=True)
    address = serializers.CharField(help_text=MASKED)
    emergency_contact = serializers.CharField(help_text=MASKED)
    occupation = serializers.CharField()
    membership_level = serializers.CharField(help_text="멤버십 등급 (VIP 는 대문자)")
    customer_status = serializers.ChoiceField(choices=CustomerStatus.values)
    first_visit_date = serializers.DateField(allow_null=True)
    last_visit_date = serializers.DateField(allow_null=True)
    total_visits = serializers.IntegerField()
    average_visit_interval = serializers.IntegerField(allow_null=True, help_text="평균 방문 간격(일)")
    total_revenue = serializers.FloatField()
    average_satisfaction = serializers.FloatField(allow_null=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.values)
    health_goals = serializers.CharField(allow_null=True, help_text=HEALTH)
    preferred_time_slots = serializers.ListField(child=serializers.ChoiceField(choices=TimeSlot.choices))
    assigned_staff = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SessionOutput(serializers.Serializer):
    session_id = serializers.IntegerField()
    service_date = serializers.DateField()
    start_time = serializers.CharField(allow_null=True, help_text="HH:MM")
    service_type = serializers.ChoiceField(choices=ServiceType.choices)
    service_name = serializers.CharField()
    duration_minutes = serializers.IntegerField(allow_null=True)
    satisfaction_rating = serializers.IntegerField(allow_null=True)
    session_notes = serializers.CharField(allow_null=True, help_text=HEALTH)
    staff_name = serializers.CharField(allow_null=True)
    package_name = serializers.CharField(allow_null=True)


class BalanceOutput(serializers.Serializer):
    total = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()


class ActivePackageOutput(serializers.Serializer):
    package_usage_id = serializers.IntegerField()
    package_name = serializers.CharField()
    purchase_date = serializers.DateField()
    expiry_date = serializers.DateField()
    total_sessions = serializers.IntegerField()
    used_sessions = serializers.IntegerField()
    remaining_sessions = serializers.IntegerField()
    usage_rate = serializers.FloatField(help_text="사용률(%)")
    days_remaining = serializers.IntegerField()
    service_breakdown = serializers.DictField(child=BalanceOutput(), help_text="서비스 코드별 잔여")


class PreferencesOutput(serializers.Serializer):
    preferred_services = serializers.ListField(child=serializers.ChoiceField(choices=ServiceType.choices))
    preferred_time = serializers.CharField(allow_null=True)
    preferred_intensity = serializers.CharField(allow_null=True)
    health_interests = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text=HEALTH)
    communication_preference = serializers.ChoiceField(choices=CommunicationPreference.values, allow_null=True)
    marketing_consent = serializers.BooleanField()


class CustomerDetailOutput(serializers.Serializer):
    customer = CustomerOutput()
    serviceHistory = SessionOutput(many=True)
    serviceHistoryTotal = serializers.IntegerField()
    serviceHistoryLimit = serializers.IntegerField()
    activePackages = ActivePackageOutput(many=True)
    preferences = PreferencesOutput()


class CustomerRowOutput(serializers.Serializer):
    customer_id = serializers.IntegerField()
    name = serializers.CharField(help_text=MASKED)
    phone = serializers.CharField(help_text=MASKED)
    first_visit_date = serializers.DateField(allow_null=True)
    last_visit_date = serializers.DateField(allow_null=True)
    total_visits = serializers.IntegerField()
    active_package = serializers.CharField(allow_null=True)
    package_usage_summary = serializers.CharField(allow_null=True, help_text="예: 브5/10 펄3/10")
    membership_level = serializers.CharField()
    risk_level = serializers.ChoiceField(choices=RiskLevel.values)
    total_revenue = serializers.FloatField()


class CustomerPageOutput(serializers.Serializer):
    customers = CustomerRowOutput(many=True)
    pagination = PaginationSerializer()
    filters_applied = serializers.DictField(help_text="적용된 조건 (검색어는 마스킹)")


class SessionPageOutput(serializers.Serializer):
    sessions = SessionOutput(many=True)
    pagination = PaginationSerializer()


class CustomerUpdatedOutput(CustomerDetailOutput):
    changed_fields = serializers.ListField(child=serializers.CharField(), help_text="실제로 바뀐 항목")


class CustomerDeletedOutput(serializers.Serializer):
    customer_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(
        choices=["deleted", "anonymised"], help_text="이력이 있으면 anonymised (개인정보만 익명 처리)"
    )
