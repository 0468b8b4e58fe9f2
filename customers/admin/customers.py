"""Customers in the back office: the list the front desk searches, the customer page
(balances panel, history, inlines) and the "세션 기록" action. Registering, changing and
deleting a customer go through ``customers.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportExportMixin

from accounts.backoffice.display import masked_field_display, money
from accounts.backoffice.import_export import AuditedImportExportMixin
from accounts.backoffice.writes import (
    SERVICE_ERRORS,
    ServiceDeleteAdminMixin,
    ServiceSaveAdminMixin,
    service_error_message,
)
from accounts.principal import Principal, principal_from_user, principal_of
from customers.admin.base import CenterDataAdminMixin
from customers.admin.desk import customer_page_context, history_rows, left_message
from customers.admin.health import CustomerPreferenceInline, HealthMetricInline
from customers.admin.purchases import PackagePurchaseInline
from customers.admin.sessions import RecentSessionInline, RecordSessionForm, record_session
from customers.models import Customer, CustomerPreference, PackagePurchase, PurchaseStatus, TimeSlot
from customers.resources import CustomerResource
from customers.selectors.balances import d_day
from customers.selectors.kinds import center_customer_q, shop_only_q
from customers.services.customers import CREATE_FIELDS, customer_create, customer_delete, customer_has_history
from customers.services.profile import CUSTOMER_FIELDS as UPDATE_FIELDS
from customers.services.profile import MEMBERSHIP_LEAST_ROLE, PREFERENCE_FIELDS, customer_update

CUSTOMER_PII = ("name", "phone", "email", "address", "emergency_contact")
# kept by customers.services.stats and the churn model: shown, never typed
DERIVED_FIELDS = (
    "first_visit_date",
    "last_visit_date",
    "total_visits",
    "total_revenue",
    "average_satisfaction",
    "risk_level",
    "risk_scored_at",
    "created_at",
    "updated_at",
)


class CustomerForm(forms.ModelForm):
    preferred_time_slots = forms.MultipleChoiceField(
        label="선호 시간대", choices=TimeSlot.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Customer
        fields = ("preferred_time_slots",)  # the admin passes the rest (get_fieldsets)


class CustomerKindFilter(admin.SimpleListFilter):
    """센터 고객 (default) / 쇼핑몰 전용 구매자 / 전체: shop-only buyers do not fill the desk's list."""

    title = "고객 구분"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("center", "센터 고객"), ("shop", "쇼핑몰 전용 구매자"), ("all", "전체")]

    def value(self) -> str:
        return super().value() or "center"

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "shop":
            return queryset.filter(shop_only_q())
        if self.value() == "center":
            return queryset.filter(center_customer_q())
        return queryset


class CustomerAdmin(
    ServiceSaveAdminMixin,
    ServiceDeleteAdminMixin,
    CenterDataAdminMixin,
    AuditedImportExportMixin,
    ImportExportMixin,
    ExportActionMixin,
    admin.ModelAdmin,
):
    resource_classes = [CustomerResource]
    form = CustomerForm
    change_form_template = "admin/customers/customer/change_form.html"
    object_history_template = "admin/customers/customer/object_history.html"
    show_change_form_export = False
    pii_fields = CUSTOMER_PII
    health_fields = ("health_goals",)
    list_display = (
        "id",
        "name",
        "phone",
        "email",
        "membership_level",
        "customer_status",
        "risk_level",
        "total_visits",
        "last_visit_date",
        "balances_col",
        "total_revenue_display",
        "assigned_staff",
    )
    list_display_links = ("id", "name")
    list_filter = (CustomerKindFilter, "membership_level", "customer_status", "risk_level", "gender", "assigned_staff")
    search_fields = ("name", "phone", "email", "=external_id")
    customer_search_path = ""
    search_help_text = "이름, 전화번호, 이메일 또는 외부 고객 ID로 검색"
    date_hierarchy = "created_at"
    list_select_related = ("assigned_staff",)
    show_full_result_count = False  # no second COUNT(*) over 100k rows on every search
    list_per_page = 50
    actions = ("record_session_action",)
    fieldsets = (
        ("기본 정보", {"fields": ("name", "phone", "email", "birth_year", "gender", "occupation", "country")}),
        ("연락처·주소", {"fields": ("address", "emergency_contact")}),
        (
            "멤버십",
            {
                "fields": (
                    "membership_level",
                    "customer_status",
                    "assigned_staff",
                    "preferred_time_slots",
                    "external_id",
                )
            },
        ),
        ("건강 정보", {"fields": ("health_goals",)}),
        (
            "이용 현황 (자동 계산)",
            {"fields": DERIVED_FIELDS},
        ),
    )
    readonly_fields = DERIVED_FIELDS
    inlines = (CustomerPreferenceInline, PackagePurchaseInline, RecentSessionInline, HealthMetricInline)

    masked_name = masked_field_display("name", "이름")
    masked_phone = masked_field_display("phone", "전화번호")
    masked_email = masked_field_display("email", "이메일")
    masked_address = masked_field_display("address", "주소")
    masked_emergency_contact = masked_field_display("emergency_contact", "비상 연락처")

    def customer_ids_of(self, obj: Customer) -> list[int]:
        return [obj.pk] if obj.pk else []

    @admin.display(description="총 매출", ordering="total_revenue")
    def total_revenue_display(self, obj: Customer) -> str:
        return money(obj.total_revenue)

    @admin.display(description="사용 가능 패키지 (잔여)")
    def balances_col(self, obj: Customer) -> str:
        """The usable packages and what is left, so a search result answers the desk at once
        (prefetched for the page: two queries whatever the page size)."""
        today = timezone.localdate()
        parts = []
        for purchase in getattr(obj, "usable_purchases", []):
            left = sum(b.remaining for b in purchase.balances.all())
            if left > 0:
                parts.append(f"{purchase.package.name} {left}회 남음 ({d_day(purchase.expiry_date, today)})")
        return " · ".join(parts) or "-"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        usable = (
            PackagePurchase.objects.filter(status=PurchaseStatus.ACTIVE, expiry_date__gte=timezone.localdate())
            .select_related("package")
            .prefetch_related("balances")
            .order_by("expiry_date", "id")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("purchases", queryset=usable, to_attr="usable_purchases"))
        )

    def shown_health_fields(self, obj: Customer) -> list[str]:
        shown = ["health_goals"] if obj.health_goals else []
        if obj.health_metrics.exists():
            shown.append("healthMetrics")
        if obj.sessions.exclude(session_notes="").exists():
            shown.append("session_notes")
        preference = getattr(obj, "preference", None)
        if preference is not None and preference.health_interests:
            shown.append("health_interests")
        return shown

    def get_inlines(self, request: HttpRequest, obj: Customer | None) -> list[type]:
        if obj is None:
            return [CustomerPreferenceInline]
        inlines = list(self.inlines)
        if not principal_of(request).can_view_health:
            inlines.remove(HealthMetricInline)
        return inlines

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> list[str]:
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # set by imports and the shop; the update service does not take them
            readonly += ["external_id", "country"]
        if not principal_of(request).has_role(MEMBERSHIP_LEAST_ROLE):
            readonly += ["membership_level"]  # the same rule as the API (customer_update)
        return readonly

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        """The 히스토리 tab: what was done to the customer, from the audit log (the services
        write there, not to Django's LogEntry)."""
        if str(object_id).isdigit():
            extra_context = {**(extra_context or {}), "desk_history": history_rows(int(object_id))}
        return super().history_view(request, object_id, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        customer = Customer.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if customer is not None:
            extra_context = {**(extra_context or {}), **customer_page_context(request, customer)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        actor = principal_from_user(request.user)
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in UPDATE_FIELDS}
            if data:
                customer_update(actor=actor, request=request, customer=obj, data=data)
                obj.refresh_from_db()
            return
        data = {name: value for name, value in form.cleaned_data.items() if name in CREATE_FIELDS}
        created = customer_create(actor=actor, request=request, data=data)
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Nothing is saved by the formset itself (the admin's change message reads these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not CustomerPreference:
            return  # the other inlines are read-only
        stored = CustomerPreference.objects.filter(customer=form.instance).first()
        preferences = {
            name: f.cleaned_data[name]
            for f in formset.forms
            if f.has_changed() and f.cleaned_data
            for name in f.changed_data
            # a form may call a JSON list "changed" when only its spelling differs
            if name in PREFERENCE_FIELDS and (stored is None or getattr(stored, name) != f.cleaned_data[name])
        }
        if preferences:
            customer_update(
                actor=principal_from_user(request.user),
                request=request,
                customer=form.instance,
                data={"preferences": preferences},
            )

    service_decides_dependents = True  # customer_delete keeps the history and anonymises

    def deletion_line(self, obj: Customer) -> str:
        if customer_has_history(obj):
            return (
                f"고객: {obj} — 이용 이력이 있어 삭제 대신 개인정보를 익명 처리합니다 (거래 기록 보존, 건강 정보 삭제)"
            )
        return f"고객: {obj} — 연결된 기록과 함께 삭제합니다"

    def delete_by_service(self, request: HttpRequest, obj: Customer, *, actor: Principal) -> None:
        outcome = customer_delete(actor=actor, request=request, customer=obj)
        if outcome == "anonymised":
            self.message_user(
                request, "이용 이력이 있어 삭제 대신 개인정보를 익명 처리했습니다 (거래 기록 보존).", messages.WARNING
            )

    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        custom = [
            path(
                "<int:customer_id>/record-session/",
                self.admin_site.admin_view(self.record_session_view),
                name="customers_customer_record_session",
            )
        ]
        return custom + urls

    @admin.action(description="세션 기록", permissions=["record_session"])
    def record_session_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            self.message_user(request, "세션 기록은 고객 한 명을 선택해야 합니다.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:customers_customer_record_session", args=[ids[0]]))

    def has_record_session_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customers.add_servicesession")

    def record_session_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        """The intermediate page of the "세션 기록" action (also linked from the customer page)."""
        if not self.has_record_session_permission(request):
            raise PermissionDenied
        customer = get_object_or_404(Customer, pk=customer_id)
        principal = principal_of(request)
        form_kwargs = {"customer": customer, "can_view_health": principal.can_view_health}
        if request.method == "POST":
            form = RecordSessionForm(request.POST, **form_kwargs)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    session = record_session(
                        request,
                        customer=customer,
                        service=data["service"],
                        purchase=data["purchase"],
                        service_date=data["service_date"],
                        start_time=data["start_time"],
                        satisfaction_rating=data["satisfaction_rating"],
                        session_notes=data.get("session_notes") or "",
                        staff=request.user,
                        redeem=not data["without_package"],
                    )
                except SERVICE_ERRORS as exc:
                    self.message_user(
                        request, f"세션을 기록하지 못했습니다: {service_error_message(exc)}", messages.ERROR
                    )
                else:
                    paid = "" if session.purchase_id else " 패키지 차감 없이 기록했습니다."
                    self.message_user(
                        request,
                        f"{customer} 고객의 {session.service.name} 세션({session.service_date:%Y-%m-%d})을 기록했습니다."
                        + (left_message(session.purchase) or paid),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[customer.pk]))
        else:
            form = RecordSessionForm(initial={"service_date": timezone.localdate()}, **form_kwargs)
        context = {
            **self.admin_site.each_context(request),
            "title": "세션 기록",
            "subtitle": str(customer),
            "opts": self.model._meta,
            "customer": customer,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/customers/record_session.html", context)
