"""Health information, preferences and recommendation feedback in the back office. Health
metrics are shown only to users with ``view_health_info``; a preference's health interests
likewise (:class:`PreferenceHealthForm`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from accounts.backoffice.writes import ReadOnlyInline
from accounts.principal import principal_of
from customers.admin.base import CenterDataAdminMixin
from customers.models import CustomerPreference, HealthMetric, ServiceType
from customers.services.customers import PREFERENCE_FIELDS


class CommaListField(forms.CharField):
    """A JSON list of short texts, typed as ``수면, 스트레스`` instead of ``["수면", "스트레스"]``."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        return [part.strip() for part in str(value or "").split(",") if part.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class PreferenceForm(forms.ModelForm):
    """Without health interests: a declared form field is always part of the form, so the
    health field lives only in :class:`PreferenceHealthForm`, given to permitted users."""

    preferred_services = forms.MultipleChoiceField(
        label="선호 서비스", choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = CustomerPreference
        fields = ("preferred_services",)


class PreferenceHealthForm(PreferenceForm):
    health_interests = CommaListField(label="건강 관심사", required=False, help_text="쉼표로 구분 (예: 수면, 스트레스)")

    class Meta(PreferenceForm.Meta):
        fields = ("preferred_services", "health_interests")


class CustomerPreferenceInline(admin.StackedInline):
    model = CustomerPreference
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name_plural = "선호 정보"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(PREFERENCE_FIELDS)
        if not principal_of(request).can_view_health:
            fields.remove("health_interests")
        return fields

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = PreferenceHealthForm if principal_of(request).can_view_health else PreferenceForm
        return super().get_formset(request, obj, **kwargs)


class HealthMetricInline(ReadOnlyInline, admin.TabularInline):
    model = HealthMetric
    fields = ("measured_on", "metric", "value", "source", "note")
    readonly_fields = fields
    ordering = ("-measured_on",)
    show_change_link = False
    verbose_name_plural = "건강 지표 (건강 정보)"


class HealthMetricAdmin(CenterDataAdminMixin, admin.ModelAdmin):
    """Health information: only users with ``view_health_info`` see this page at all."""

    health_model = True
    list_display = ("customer", "metric", "value", "measured_on", "source")
    list_filter = ("metric", "source")
    search_fields = ("=customer__id", "customer__name")
    customer_search_path = "customer"
    date_hierarchy = "measured_on"
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    show_full_result_count = False

    def _health_allowed(self, request: HttpRequest) -> bool:
        return principal_of(request).can_view_health

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._health_allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._health_allowed(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._health_allowed(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._health_allowed(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._health_allowed(request) and super().has_delete_permission(request, obj)

    def shown_health_fields(self, obj: HealthMetric) -> list[str]:
        return ["healthMetrics"]


class CustomerPreferenceAdmin(CenterDataAdminMixin, admin.ModelAdmin):
    health_fields = ("health_interests",)
    list_display = (
        "customer",
        "preferred_time",
        "preferred_intensity",
        "communication_preference",
        "marketing_consent",
    )
    list_filter = ("preferred_time", "communication_preference", "marketing_consent")
    search_fields = ("=customer__id", "customer__name")
    customer_search_path = "customer"
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    show_full_result_count = False


class RecommendationFeedbackAdmin(CenterDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "recommendation_id", "item_type", "item_key", "action", "feedback_score")
    list_filter = ("action", "item_type")
    search_fields = ("recommendation_id", "=customer__id", "item_key")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "created_by")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_by", "created_at")
    show_full_result_count = False
