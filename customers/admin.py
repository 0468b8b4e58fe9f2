"""The center's back office: customers, the catalog, packages, sessions and health metrics.

Writes that the business rules guard go through ``customers.services`` (recording a session
redeems a balance atomically; selling and extending a package), never through a raw model save.
Personal data is masked and every view of customer data is audited: see ``admin_support``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportExportMixin

from accounts.principal import principal_from_user, principal_of
from customers.admin_support import (
    SERVICE_ERRORS,
    AuditedImportExportMixin,
    CustomerDataAdminMixin,
    ReadOnlyInline,
    masked_field_display,
    money,
    rerender_as_get,
    service_error_message,
)
from customers.models import (
    Customer,
    CustomerPreference,
    HealthMetric,
    Package,
    PackageBalance,
    PackageItem,
    PackagePurchase,
    PurchaseStatus,
    RecommendationFeedback,
    Service,
    ServiceSession,
    ServiceType,
    TimeSlot,
)
from customers.resources import CustomerResource
from customers.services.customers import CREATE_FIELDS, customer_create, customer_delete
from customers.services.packages import package_purchase_cancel, package_purchase_create, package_purchase_extend
from customers.services.profile import CUSTOMER_FIELDS as UPDATE_FIELDS
from customers.services.profile import PREFERENCE_FIELDS, customer_update
from customers.services.sessions import session_record

CUSTOMER_PII = ("name", "phone", "email", "address", "emergency_contact")
RECENT_SESSIONS = 10


# --- services (B1): the admin's only write path for guarded operations -------------------
def record_session(request: HttpRequest, **data: Any) -> ServiceSession:
    return session_record(actor=principal_from_user(request.user), request=request, **data)


def sell_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_create(actor=principal_from_user(request.user), request=request, **data)


def extend_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_extend(actor=principal_from_user(request.user), request=request, **data)


def cancel_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_cancel(actor=principal_from_user(request.user), request=request, **data)


def balances_summary(purchase: PackagePurchase) -> str:
    """``브레인 피드백 7/10 · 레드라이트 5/5`` (remaining/total) from prefetched balances."""
    parts = [f"{b.service.name} {b.remaining}/{b.total}" for b in purchase.balances.all()]
    return " · ".join(parts) or "-"


# --- forms -------------------------------------------------------------------------------
class RecordSessionForm(forms.Form):
    """The "세션 기록" page: one session for one customer, redeemed from a package if chosen."""

    service = forms.ModelChoiceField(label="서비스", queryset=Service.objects.filter(is_active=True))
    purchase = forms.ModelChoiceField(
        label="사용 패키지",
        queryset=PackagePurchase.objects.none(),
        required=False,
        help_text="비워 두면 이 서비스가 포함된 패키지 중 만료가 가장 빠른 것에서 차감합니다.",
    )
    without_package = forms.BooleanField(
        label="패키지 차감 없이 기록", required=False, help_text="단건 결제 등 패키지를 쓰지 않은 이용"
    )
    service_date = forms.DateField(label="이용일", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="시작 시각", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    satisfaction_rating = forms.TypedChoiceField(
        label="만족도",
        choices=[("", "-"), *[(i, f"{i}점") for i in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    session_notes = forms.CharField(label="세션 메모", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, customer: Customer, can_view_health: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        purchases = (
            PackagePurchase.objects.filter(customer=customer, status=PurchaseStatus.ACTIVE, expiry_date__gte=today)
            .select_related("package")
            .prefetch_related(Prefetch("balances", queryset=PackageBalance.objects.select_related("service")))
        )
        field = self.fields["purchase"]
        field.queryset = purchases
        field.label_from_instance = lambda p: (
            f"{p.package.name} (만료 {p.expiry_date:%Y-%m-%d}, 잔여 {balances_summary(p)})"
        )
        if not can_view_health:
            del self.fields["session_notes"]  # session notes are health information


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


class CustomerForm(forms.ModelForm):
    preferred_time_slots = forms.MultipleChoiceField(
        label="선호 시간대", choices=TimeSlot.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Customer
        fields = ("preferred_time_slots",)  # the admin passes the rest (get_fieldsets)


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


class ExtendExpiryForm(forms.Form):
    days = forms.IntegerField(label="연장 일수", min_value=1, max_value=365)
    reason = forms.CharField(label="사유", max_length=200)


class CancelPurchaseForm(forms.Form):
    refund = forms.TypedChoiceField(
        label="처리",
        choices=[("1", "환불 (결제 금액이 매출에서 빠짐)"), ("0", "취소")],
        coerce=lambda v: v in (True, "1"),
        initial="1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="사유", max_length=200)


# --- inlines -----------------------------------------------------------------------------
class CustomerPreferenceInline(admin.StackedInline):
    model = CustomerPreference
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name_plural = "선호 정보"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [
            "preferred_services",
            "preferred_time",
            "preferred_intensity",
            "health_interests",
            "communication_preference",
            "marketing_consent",
        ]
        if not principal_of(request).can_view_health:
            fields.remove("health_interests")
        return fields

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = PreferenceHealthForm if principal_of(request).can_view_health else PreferenceForm
        return super().get_formset(request, obj, **kwargs)


class PackagePurchaseInline(ReadOnlyInline, admin.TabularInline):
    model = PackagePurchase
    fk_name = "customer"
    fields = ("package", "purchase_date", "expiry_date", "status", "price_paid", "balances_display")
    readonly_fields = fields
    verbose_name_plural = "패키지 구매 (잔여 = 남은/총 횟수)"

    @admin.display(description="잔여 횟수")
    def balances_display(self, obj: PackagePurchase) -> str:
        return balances_summary(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("package")
            .prefetch_related(Prefetch("balances", queryset=PackageBalance.objects.select_related("service")))
        )


class RecentSessionInline(ReadOnlyInline, admin.TabularInline):
    model = ServiceSession
    fk_name = "customer"
    verbose_name_plural = f"최근 이용 (최근 {RECENT_SESSIONS}건)"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["service_date", "start_time", "service", "staff", "purchase", "satisfaction_rating", "session_notes"]
        if not principal_of(request).can_view_health:
            fields.remove("session_notes")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("service", "staff", "purchase__package")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        recent = RECENT_SESSIONS

        class RecentFormSet(formset):  # type: ignore[misc, valid-type]
            def get_queryset(self) -> QuerySet:
                # the formset has already filtered by customer; the model orders newest first.
                # Kept: every form of the formset asks again.
                if not hasattr(self, "_recent"):
                    self._recent = super().get_queryset()[:recent]
                return self._recent

        return RecentFormSet


class HealthMetricInline(ReadOnlyInline, admin.TabularInline):
    model = HealthMetric
    fields = ("measured_on", "metric", "value", "source", "note")
    readonly_fields = fields
    ordering = ("-measured_on",)
    show_change_link = False
    verbose_name_plural = "건강 지표 (건강 정보)"


# --- customers ---------------------------------------------------------------------------
@admin.register(Customer)
class CustomerAdmin(
    CustomerDataAdminMixin, AuditedImportExportMixin, ImportExportMixin, ExportActionMixin, admin.ModelAdmin
):
    resource_classes = [CustomerResource]
    form = CustomerForm
    change_form_template = "admin/customers/customer/change_form.html"
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
        "total_revenue_display",
        "assigned_staff",
    )
    list_display_links = ("id", "name")
    list_filter = ("membership_level", "customer_status", "risk_level", "gender", "assigned_staff")
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
            {
                "fields": (
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
            },
        ),
    )
    readonly_fields = (
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
        return readonly

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

    def delete_model(self, request: HttpRequest, obj: Customer) -> None:
        outcome = customer_delete(actor=principal_from_user(request.user), request=request, customer=obj)
        if outcome == "anonymised":
            self.message_user(
                request, "이용 이력이 있어 삭제 대신 개인정보를 익명 처리했습니다 (거래 기록 보존).", messages.WARNING
            )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for customer in queryset:
            self.delete_model(request, customer)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as exc:
            self.message_user(request, f"저장하지 못했습니다: {service_error_message(exc)}", messages.ERROR)
            return rerender_as_get(super().changeform_view, request, object_id, form_url, extra_context)

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
                    self.message_user(
                        request,
                        f"{customer} 고객의 {session.service.name} 세션({session.service_date:%Y-%m-%d})을 기록했습니다.",
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


# --- catalog -----------------------------------------------------------------------------
@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "duration_minutes", "price_display", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    ordering = ("id",)

    @admin.display(description="1회 가격", ordering="price")
    def price_display(self, obj: Service) -> str:
        return money(obj.price)


class PackageItemInline(admin.TabularInline):
    model = PackageItem
    extra = 1
    autocomplete_fields = ("service",)


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("name", "price_display", "validity_days", "items_display", "purchase_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = (PackageItemInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(purchase_count=Count("purchases", distinct=True))
            .prefetch_related(Prefetch("items", queryset=PackageItem.objects.select_related("service")))
        )

    @admin.display(description="가격", ordering="price")
    def price_display(self, obj: Package) -> str:
        return money(obj.price)

    @admin.display(description="구성")
    def items_display(self, obj: Package) -> str:
        return ", ".join(f"{i.service.name} {i.sessions}회" for i in obj.items.all()) or "-"

    @admin.display(description="판매 건수", ordering="purchase_count")
    def purchase_count(self, obj: Package) -> int:
        return obj.purchase_count  # type: ignore[attr-defined]


@admin.register(PackageItem)
class PackageItemAdmin(admin.ModelAdmin):
    list_display = ("package", "service", "sessions")
    list_filter = ("service", "package")
    search_fields = ("package__name", "service__name")
    list_select_related = ("package", "service")
    autocomplete_fields = ("package", "service")


# --- purchases and balances ----------------------------------------------------------------
class PackageBalanceInline(ReadOnlyInline, admin.TabularInline):
    model = PackageBalance
    fields = ("service", "total", "used", "remaining_display")
    readonly_fields = fields
    show_change_link = False

    @admin.display(description="잔여")
    def remaining_display(self, obj: PackageBalance) -> int:
        return obj.remaining

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("service")


class PurchaseAddForm(forms.ModelForm):
    class Meta:
        model = PackagePurchase
        fields = ("customer", "package", "purchase_date", "price_paid")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purchase_date"].initial = timezone.localdate
        self.fields["price_paid"].required = False
        self.fields["price_paid"].help_text = "비워 두면 패키지 정가로 기록합니다."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("price_paid") is None and data.get("package") is not None:
            data["price_paid"] = data["package"].price
            self.instance.price_paid = data["price_paid"]
        if data.get("package") is not None and data.get("purchase_date"):
            # the model's own check (expiry >= purchase date) runs before the service sets it
            self.instance.expiry_date = data["purchase_date"] + dt.timedelta(days=data["package"].validity_days)
        return data


class ExpiryFilter(admin.SimpleListFilter):
    title = "만료"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("soon", "14일 이내 만료"), ("valid", "유효"), ("expired", "만료됨")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "soon":
            return queryset.filter(expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=14))
        if self.value() == "valid":
            return queryset.filter(expiry_date__gte=today)
        if self.value() == "expired":
            return queryset.filter(expiry_date__lt=today)
        return queryset


@admin.register(PackagePurchase)
class PackagePurchaseAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "customer",
        "package",
        "purchase_date",
        "expiry_date",
        "status",
        "price_paid_display",
        "balances_display",
        "sold_by",
    )
    list_filter = ("status", ExpiryFilter, "package")
    search_fields = ("customer__name", "customer__phone", "=customer__id", "package__name")
    customer_search_path = "customer"
    search_help_text = "고객 이름·전화번호·고객 ID 또는 패키지명으로 검색"
    date_hierarchy = "purchase_date"
    list_select_related = ("customer", "package", "sold_by")
    raw_id_fields = ("customer",)
    autocomplete_fields = ("package",)
    show_full_result_count = False
    actions = ("extend_expiry_action", "cancel_action")
    inlines = (PackageBalanceInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("balances", queryset=PackageBalance.objects.select_related("service")))
        )

    def get_inlines(self, request: HttpRequest, obj: PackagePurchase | None) -> list[type]:
        return list(self.inlines) if obj is not None else []  # the service makes the balances

    @admin.display(description="잔여 (남은/총)")
    def balances_display(self, obj: PackagePurchase) -> str:
        return balances_summary(obj)

    @admin.display(description="결제 금액", ordering="price_paid")
    def price_paid_display(self, obj: PackagePurchase) -> str:
        return money(obj.price_paid)

    def get_form(self, request: HttpRequest, obj: PackagePurchase | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = PurchaseAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: PackagePurchase | None = None) -> list[Any]:
        if obj is None:
            return ["customer", "package", "purchase_date", "price_paid"]
        return [
            "customer",
            "package",
            "purchase_date",
            "expiry_date",
            "price_paid",
            "status",
            "sold_by",
            "created_at",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: PackagePurchase | None = None) -> list[str]:
        if obj is None:
            return []
        # Balances, expiry and status change only through the services (redeem, the actions).
        return ["customer", "package", "purchase_date", "expiry_date", "price_paid", "status", "sold_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: PackagePurchase, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        purchase = sell_package(
            request,
            customer=data["customer"],
            package=data["package"],
            purchase_date=data["purchase_date"],
            price_paid=data.get("price_paid"),
            sold_by=request.user,
        )
        obj.pk = purchase.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
        # a new purchase's balances were created by the service from the package items

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as exc:
            # The service refused: the transaction of the admin view rolled back, nothing saved.
            self.message_user(request, f"저장하지 못했습니다: {service_error_message(exc)}", messages.ERROR)
            return rerender_as_get(super().changeform_view, request, object_id, form_url, extra_context)

    def _purchase_action(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action_name: str,
        title: str,
        intro: str,
        form_class: type[forms.Form],
        apply: Any,
        done_message: str,
    ) -> HttpResponse | None:
        """An action with an intermediate form page; ``apply(purchase, data)`` calls a service
        per purchase, and each refusal becomes an error message (that purchase unchanged)."""
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                done, failed = 0, []
                for purchase in queryset.select_related("package", "customer"):
                    try:
                        apply(purchase, form.cleaned_data)
                        done += 1
                    except SERVICE_ERRORS as exc:
                        failed.append(f"#{purchase.pk}: {service_error_message(exc)}")
                if done:
                    self.message_user(request, done_message.format(count=done, **form.cleaned_data), messages.SUCCESS)
                for message in failed:
                    self.message_user(request, f"처리하지 못했습니다 {message}", messages.ERROR)
                return None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset.select_related("customer", "package"),
            "action_name": action_name,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/customers/purchase_action.html", context)

    @admin.action(description="만료일 연장", permissions=["change"])
    def extend_expiry_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._purchase_action(
            request,
            queryset,
            action_name="extend_expiry_action",
            title="만료일 연장",
            intro="선택한 패키지 구매의 만료일을 연장합니다. 연장 내역과 사유는 감사 로그에 남습니다.",
            form_class=ExtendExpiryForm,
            apply=lambda purchase, data: extend_package(
                request, purchase=purchase, days=data["days"], reason=data["reason"]
            ),
            done_message="{count}건의 만료일을 {days}일 연장했습니다.",
        )

    @admin.action(description="환불·취소", permissions=["change"])
    def cancel_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._purchase_action(
            request,
            queryset,
            action_name="cancel_action",
            title="환불·취소",
            intro="선택한 패키지의 남은 횟수를 더 이상 쓸 수 없게 합니다. 이미 이용한 세션은 그대로 남습니다.",
            form_class=CancelPurchaseForm,
            apply=lambda purchase, data: cancel_package(
                request, purchase=purchase, refund=data["refund"], reason=data["reason"]
            ),
            done_message="{count}건을 처리했습니다.",
        )


@admin.register(PackageBalance)
class PackageBalanceAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
    list_display = ("purchase", "customer_display", "service", "total", "used", "remaining_display")
    list_filter = ("service",)
    search_fields = ("purchase__customer__name", "=purchase__customer__id")
    customer_search_path = "purchase__customer"
    list_select_related = ("purchase__customer", "purchase__package", "service")
    raw_id_fields = ("purchase",)
    show_full_result_count = False

    def customer_ids_of(self, obj: PackageBalance) -> list[int]:
        return [obj.purchase.customer_id]

    @admin.display(description="고객")
    def customer_display(self, obj: PackageBalance) -> str:
        return str(obj.purchase.customer)

    @admin.display(description="잔여")
    def remaining_display(self, obj: PackageBalance) -> int:
        return obj.remaining

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # balances are made by the purchase service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # and changed only by redemption

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- sessions ------------------------------------------------------------------------------
class SessionAddForm(forms.ModelForm):
    class Meta:
        model = ServiceSession
        fields = (
            "customer",
            "service",
            "purchase",
            "service_date",
            "start_time",
            "satisfaction_rating",
            "session_notes",
        )
        widgets = {"satisfaction_rating": forms.Select(choices=[("", "-"), *[(i, f"{i}점") for i in range(1, 6)]])}


@admin.register(ServiceSession)
class ServiceSessionAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
    health_fields = ("session_notes",)
    list_display = (
        "service_date",
        "start_time",
        "customer",
        "service",
        "staff",
        "purchase",
        "duration_minutes",
        "satisfaction_rating",
    )
    list_filter = ("service", "satisfaction_rating", "staff")
    search_fields = ("customer__name", "customer__phone", "=customer__id")
    customer_search_path = "customer"
    search_help_text = "고객 이름·전화번호·고객 ID로 검색"
    date_hierarchy = "service_date"
    list_select_related = ("customer", "service", "staff", "purchase__package")
    raw_id_fields = ("customer", "purchase")
    show_full_result_count = False

    def get_form(self, request: HttpRequest, obj: ServiceSession | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = SessionAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ServiceSession | None = None) -> list[Any]:
        fields = [
            "customer",
            "service",
            "purchase",
            "service_date",
            "start_time",
            "satisfaction_rating",
            "session_notes",
        ]
        if obj is not None:
            fields += ["staff", "duration_minutes", "created_at"]
        return self._detail_fields(request, obj, fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceSession | None = None) -> list[str]:
        if obj is None:
            return []
        # A recorded session has redeemed a balance: it is not edited in place.
        return self.get_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting would leave the redeemed balance used; ask an ADMIN to correct it

    def save_model(self, request: HttpRequest, obj: ServiceSession, form: Any, change: bool) -> None:
        if change:
            return  # read-only after recording
        data = form.cleaned_data
        session = record_session(
            request,
            customer=data["customer"],
            service=data["service"],
            purchase=data.get("purchase"),
            service_date=data["service_date"],
            start_time=data.get("start_time"),
            satisfaction_rating=data.get("satisfaction_rating"),
            session_notes=data.get("session_notes") or "",
            staff=request.user,
        )
        obj.pk = session.pk
        obj.refresh_from_db()

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as exc:
            self.message_user(request, f"세션을 기록하지 못했습니다: {service_error_message(exc)}", messages.ERROR)
            return rerender_as_get(super().changeform_view, request, object_id, form_url, extra_context)


# --- health, preferences, feedback ---------------------------------------------------------
@admin.register(HealthMetric)
class HealthMetricAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
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


@admin.register(CustomerPreference)
class CustomerPreferenceAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
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


@admin.register(RecommendationFeedback)
class RecommendationFeedbackAdmin(CustomerDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "recommendation_id", "item_type", "item_key", "action", "feedback_score")
    list_filter = ("action", "item_type")
    search_fields = ("recommendation_id", "=customer__id", "item_key")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "created_by")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_by", "created_at")
    show_full_result_count = False
