"""Back office: the product page gets two buttons — "이미지 검사" (the product image's check,
stored on the product and shown in the list with a filter) and "영양성분표 읽기" (read a label
photo, let staff correct the values, then save them into ``nutrition_facts``, audited).

The imaging layer sits above commerce, so it extends commerce's ``ProductAdmin`` here rather
than commerce importing imaging.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from commerce.admin import ProductAdmin as CommerceProductAdmin
from commerce.models import Product
from core.errors import ApiError
from imaging.ocr.parse import FIELD_LABELS, FIELDS, UNIT_OF
from imaging.selectors import label_read
from imaging.services import product_image_check, product_nutrition_apply

BULK_CHECK_LIMIT = 20


class ImageCheckFilter(admin.SimpleListFilter):
    title = "이미지 검사"
    parameter_name = "image_check"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("passed", "통과"), ("failed", "불합격"), ("unchecked", "미검사")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "passed":
            return queryset.filter(image_check_passed=True)
        if value == "failed":
            return queryset.filter(image_check_passed=False)
        if value == "unchecked":
            return queryset.filter(image_check_passed__isnull=True)
        return queryset


class LabelUploadForm(forms.Form):
    image = forms.FileField(label="영양성분표 사진", help_text="JPEG, PNG 또는 WebP")


class NutritionConfirmForm(forms.Form):
    """The values read from the label, for staff to check and correct before saving."""

    serving_value = forms.DecimalField(
        label="제공량/내용량", required=False, min_value=0, max_digits=9, decimal_places=2
    )
    serving_unit = forms.ChoiceField(label="단위", choices=[("g", "g"), ("ml", "ml")], required=False)
    serving_basis = forms.CharField(label="기준", required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            self.fields[name] = forms.DecimalField(
                label=f"{FIELD_LABELS[name]} ({UNIT_OF.get(name, 'g')})",
                required=False,
                min_value=0,
                max_digits=9,
                decimal_places=2,
            )

    def facts(self) -> dict:
        data = self.cleaned_data
        facts = {name: data[name] for name in FIELDS if data.get(name) is not None}
        if data.get("serving_value") is not None:
            facts["serving_size"] = {
                "value": data["serving_value"],
                "unit": data.get("serving_unit") or "g",
                "basis": data.get("serving_basis") or "",
            }
        return facts


admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(CommerceProductAdmin):
    change_form_template = "admin/imaging/product/change_form.html"
    list_display = (*CommerceProductAdmin.list_display, "image_check_display")
    list_filter = (*CommerceProductAdmin.list_filter, ImageCheckFilter)
    readonly_fields = (*CommerceProductAdmin.readonly_fields, "image_check_display", "image_check_summary")
    # the stored check result sits in the product page's image section
    fieldsets = tuple(
        (name, {**options, "fields": (*options["fields"], "image_check_summary")})
        if name == "이미지"
        else (name, options)
        for name, options in CommerceProductAdmin.fieldsets
    )
    actions = [*(CommerceProductAdmin.actions or []), "check_images_action"]

    @admin.display(description="이미지 검사", ordering="image_check_score")
    def image_check_display(self, obj: Product) -> str:
        if obj.image_checked_at is None:
            return "미검사"
        mark = "통과" if obj.image_check_passed else "불합격"
        when = timezone.localtime(obj.image_checked_at).strftime("%Y-%m-%d %H:%M")
        return f"{mark} · {obj.image_check_score:.2f} · {when}"

    @admin.display(description="이미지 검사 내용")
    def image_check_summary(self, obj: Product) -> str:
        result = obj.image_check_result or {}
        if "error" in result:
            return result["error"].get("message", "")
        recs = result.get("recommendations") or []
        return format_html("{}", " / ".join(recs) if recs else ("문제 없음" if result else "-"))

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<int:product_id>/check-image/",
                self.admin_site.admin_view(self.check_image_view),
                name="commerce_product_check_image",
            ),
            path(
                "<int:product_id>/read-label/",
                self.admin_site.admin_view(self.read_label_view),
                name="commerce_product_read_label",
            ),
        ]
        return custom + super().get_urls()

    def _product_for_change(self, request: HttpRequest, product_id: int) -> Product:
        product = get_object_or_404(Product, pk=product_id)
        if not self.has_change_permission(request, product):
            raise PermissionDenied
        return product

    def check_image_view(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """POST only: check the product's image now."""
        product = self._product_for_change(request, product_id)
        back = HttpResponseRedirect(reverse("admin:commerce_product_change", args=[product.pk]))
        if request.method != "POST":
            return back
        try:
            result = product_image_check(product=product, request=request)
        except ApiError as exc:
            self.message_user(request, f"이미지를 검사하지 못했습니다: {exc.message}", messages.ERROR)
            return back
        if "error" in result:
            self.message_user(request, f"이미지를 가져오지 못했습니다: {result['error']['message']}", messages.ERROR)
        elif result["is_valid"]:
            self.message_user(request, f"이미지 검사 통과 (품질 점수 {result['quality_score']:.2f})", messages.SUCCESS)
        else:
            recs = " / ".join(result["recommendations"])
            self.message_user(
                request, f"이미지 검사 불합격 (품질 점수 {result['quality_score']:.2f}): {recs}", messages.WARNING
            )
        return back

    @admin.action(description="선택한 상품의 이미지 검사", permissions=["change"])
    def check_images_action(self, request: HttpRequest, queryset: QuerySet) -> None:
        products = list(queryset.exclude(image_url="")[: BULK_CHECK_LIMIT + 1])
        if len(products) > BULK_CHECK_LIMIT:
            self.message_user(request, f"한 번에 {BULK_CHECK_LIMIT}개까지 검사할 수 있습니다.", messages.WARNING)
            return
        passed = sum(1 for p in products if product_image_check(product=p, request=request).get("is_valid"))
        self.message_user(request, f"{len(products)}개 상품 이미지를 검사했습니다 (통과 {passed}개).", messages.INFO)

    def read_label_view(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Upload a label photo → the values read, editable → confirm saves them (audited)."""
        product = self._product_for_change(request, product_id)
        upload_form, confirm_form, reading = LabelUploadForm(), None, None
        if request.method == "POST" and "confirm" in request.POST:
            confirm_form = NutritionConfirmForm(request.POST)
            if confirm_form.is_valid():
                try:
                    product_nutrition_apply(product=product, facts=confirm_form.facts(), request=request)
                except ApiError as exc:
                    self.message_user(request, f"저장하지 못했습니다: {exc.message}", messages.ERROR)
                else:
                    self.message_user(request, "영양성분을 저장했습니다.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:commerce_product_change", args=[product.pk]))
        elif request.method == "POST":
            upload_form = LabelUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    reading = label_read(upload=upload_form.cleaned_data["image"])
                except ApiError as exc:
                    self.message_user(request, f"사진을 읽지 못했습니다: {exc.message}", messages.ERROR)
                else:
                    facts = reading["nutrition_facts"]
                    serving = facts.get("serving_size") or {}
                    initial = {name: facts.get(name) for name in FIELDS}
                    initial |= {
                        "serving_value": serving.get("value"),
                        "serving_unit": serving.get("unit", "g"),
                        "serving_basis": serving.get("basis", ""),
                    }
                    confirm_form = NutritionConfirmForm(initial=initial)
        if confirm_form is None:
            current = product.nutrition_facts or {}
            serving = current.get("serving_size") or {}
            confirm_form = NutritionConfirmForm(
                initial={
                    **{n: current.get(n) for n in FIELDS},
                    "serving_value": serving.get("value"),
                    "serving_unit": serving.get("unit", "g"),
                    "serving_basis": serving.get("basis", ""),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "영양성분표 읽기",
            "subtitle": str(product),
            "opts": self.model._meta,
            "original": product,
            "upload_form": upload_form,
            "confirm_form": confirm_form,
            "reading": reading,
            "field_rows": [
                (confirm_form[name], (reading or {}).get("field_confidence", {}).get(name)) for name in FIELDS
            ],
        }
        return TemplateResponse(request, "admin/imaging/read_label.html", context)
