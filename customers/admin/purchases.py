"""Package purchases in the back office: selling (through ``customers.services.packages``),
extending and refunding, the purchases and balances on the customer page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.backoffice.display import money
from accounts.backoffice.writes import (
    SERVICE_ERRORS,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceSaveAdminMixin,
    service_error_message,
)
from accounts.principal import principal_from_user
from customers.admin.base import CenterDataAdminMixin
from customers.admin.desk import left_message
from customers.models import PackageBalance, PackagePurchase
from customers.selectors.balances import STATE_ACTIVE, STATE_EXPIRED, STATE_LABELS, balances_text, d_day, purchase_state
from customers.services.packages import package_purchase_cancel, package_purchase_create, package_purchase_extend


def sell_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_create(actor=principal_from_user(request.user), request=request, **data)


def extend_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_extend(actor=principal_from_user(request.user), request=request, **data)


def cancel_package(request: HttpRequest, **data: Any) -> PackagePurchase:
    return package_purchase_cancel(actor=principal_from_user(request.user), request=request, **data)


def balances_summary(purchase: PackagePurchase) -> str:
    """``브레인 피드백 7회 남음 (총 10회) · …`` from prefetched balances (never a bare x/y)."""
    return balances_text(purchase)


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


class PackagePurchaseInline(ReadOnlyInline, admin.TabularInline):
    model = PackagePurchase
    fk_name = "customer"
    fields = ("package", "purchase_date", "expiry_date", "state_display", "price_paid_display", "balances_display")
    readonly_fields = fields
    verbose_name_plural = "패키지 구매 내역 (전체)"
    classes = ("collapse",)

    @admin.display(description="잔여 횟수")
    def balances_display(self, obj: PackagePurchase) -> str:
        return balances_summary(obj)

    @admin.display(description="상태")
    def state_display(self, obj: PackagePurchase) -> str:
        today = timezone.localdate()
        state = purchase_state(obj, today, sum(b.remaining for b in obj.balances.all()))
        label = STATE_LABELS[state]
        return f"{label} ({d_day(obj.expiry_date, today)})" if state in (STATE_ACTIVE, STATE_EXPIRED) else label

    @admin.display(description="결제 금액")
    def price_paid_display(self, obj: PackagePurchase) -> str:
        return money(obj.price_paid)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("package")
            .prefetch_related(Prefetch("balances", queryset=PackageBalance.objects.select_related("service")))
        )


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


def purchase_action(
    *,
    name: str,
    title: str,
    intro: str,
    form_class: type[forms.Form],
    service: Callable[..., PackagePurchase],
    done_message: str,
) -> Callable[..., HttpResponse | None]:
    """An admin action on selected purchases with an intermediate form page: on submit,
    ``service(request, purchase=…, **form data)`` per purchase, and each refusal becomes an error
    message (that purchase unchanged). Needs the ``change`` permission."""

    @admin.action(description=title, permissions=["change"])
    def action(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                done, failed = 0, []
                for purchase in queryset.select_related("package", "customer"):
                    try:
                        service(request, purchase=purchase, **form.cleaned_data)
                        done += 1
                    except SERVICE_ERRORS as exc:
                        failed.append(f"#{purchase.pk}: {service_error_message(exc)}")
                if done:
                    message = done_message.format(count=done, **form.cleaned_data)
                    model_admin.message_user(request, message, messages.SUCCESS)
                for message in failed:
                    model_admin.message_user(request, f"처리하지 못했습니다 {message}", messages.ERROR)
                return None
        else:
            form = form_class()
        context = {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "opts": model_admin.model._meta,
            "form": form,
            "queryset": queryset.select_related("customer", "package"),
            "action_name": name,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/customers/purchase_action.html", context)

    action.__name__ = name
    return action


class PackagePurchaseAdmin(ServiceSaveAdminMixin, CenterDataAdminMixin, admin.ModelAdmin):
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

    def response_add(self, request: HttpRequest, obj: PackagePurchase, post_url_continue: str | None = None) -> Any:
        """After a sale the desk goes back to the customer, told what the customer now holds."""
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"{obj.customer} 고객에게 '{obj.package.name}'을(를) {money(obj.price_paid)}에 판매했습니다."
            + left_message(obj),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[obj.customer_id]))

    extend_expiry_action = purchase_action(
        name="extend_expiry_action",
        title="만료일 연장",
        intro="선택한 패키지 구매의 만료일을 연장합니다. 연장 내역과 사유는 감사 로그에 남습니다.",
        form_class=ExtendExpiryForm,
        service=extend_package,
        done_message="{count}건의 만료일을 {days}일 연장했습니다.",
    )
    cancel_action = purchase_action(
        name="cancel_action",
        title="환불·취소",
        intro="선택한 패키지의 남은 횟수를 더 이상 쓸 수 없게 합니다. 이미 이용한 세션은 그대로 남습니다.",
        form_class=CancelPurchaseForm,
        service=cancel_package,
        done_message="{count}건을 처리했습니다.",
    )


class PackageBalanceAdmin(ReadOnlyAdminMixin, CenterDataAdminMixin, admin.ModelAdmin):
    """Balances are made by the purchase service and changed only by redemption: read-only."""

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
