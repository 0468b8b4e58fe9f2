"""Sessions in the back office: recording one (the "세션 기록" page of a customer and the add
form), the recent ones on the customer page, voided ones; corrections and voids are
``customers.admin.desk``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from accounts.backoffice.writes import ReadOnlyAdminMixin, ReadOnlyInline, ServiceSaveAdminMixin
from accounts.principal import principal_from_user, principal_of
from customers.admin.base import CenterDataAdminMixin
from customers.admin.desk import RATING_CHOICES, can_correct_sessions, correct_session_view, void_session_view
from customers.admin.purchases import balances_summary
from customers.models import Customer, PackageBalance, PackagePurchase, PurchaseStatus, Service, ServiceSession
from customers.services.sessions import session_record

RECENT_SESSIONS = 10
# what the add form records; a recorded session adds staff, duration and created_at, read-only
RECORD_FIELDS = (
    "customer",
    "service",
    "purchase",
    "service_date",
    "start_time",
    "satisfaction_rating",
    "session_notes",
)


def record_session(request: HttpRequest, **data: Any) -> ServiceSession:
    return session_record(actor=principal_from_user(request.user), request=request, **data)


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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("without_package") and data.get("purchase") is not None:
            self.add_error(
                "without_package",
                "'패키지 차감 없이 기록'을 선택했다면 사용 패키지를 비워 두세요 (둘 중 하나만 고를 수 있습니다).",
            )
        return data


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


class SessionAddForm(forms.ModelForm):
    class Meta:
        model = ServiceSession
        fields = RECORD_FIELDS
        widgets = {"satisfaction_rating": forms.Select(choices=RATING_CHOICES)}


class ServiceSessionAdmin(ServiceSaveAdminMixin, CenterDataAdminMixin, admin.ModelAdmin):
    service_error_prefix = "세션을 기록하지 못했습니다"
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
        fields = list(RECORD_FIELDS)
        if obj is not None:
            fields += ["staff", "duration_minutes", "created_at"]
        return self._detail_fields(request, obj, fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceSession | None = None) -> list[str]:
        if obj is None:
            return []
        # A recorded session has redeemed a balance: it is not edited in place.
        return self.get_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting would leave the redeemed balance used: "이용 기록 취소" gives it back

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<int:session_id>/void/",
                self.admin_site.admin_view(lambda request, session_id: void_session_view(self, request, session_id)),
                name="customers_servicesession_void",
            ),
            path(
                "<int:session_id>/correct/",
                self.admin_site.admin_view(lambda request, session_id: correct_session_view(self, request, session_id)),
                name="customers_servicesession_correct",
            ),
        ]
        return custom + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "desk_can_correct": can_correct_sessions(request)}
        return super().change_view(request, object_id, form_url, extra_context)

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


class VoidedSessionAdmin(ReadOnlyAdminMixin, CenterDataAdminMixin, admin.ModelAdmin):
    """Sessions voided by mistake (read-only): what was voided, by whom and why."""

    list_display = ("voided_at", "customer", "service", "service_date", "purchase", "reason", "voided_by_name")
    list_filter = ("service",)
    search_fields = ("=customer__id", "reason")
    list_select_related = ("customer", "service", "purchase__package")
    date_hierarchy = "voided_at"
