"""The shop's back office: catalog, orders (through ``commerce.services.orders``), reviews and
the browsing/cart events. Buyers are customers: their rows are audited and masked like the
center's (``accounts.backoffice``)."""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import Avg, Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportActionMixin, ImportExportMixin

from accounts.audit import audit_log
from accounts.backoffice.customer_data import CustomerDataAdminMixin
from accounts.backoffice.display import money
from accounts.backoffice.import_export import AuditedImportExportMixin
from accounts.backoffice.writes import ReadOnlyAdminMixin, ServiceDeleteAdminMixin, ServiceSaveAdminMixin
from accounts.models import AuditLog
from accounts.principal import Principal, principal_from_user
from commerce.models import (
    SENTIMENT_CHOICES,
    CartEvent,
    Category,
    Order,
    OrderItem,
    OrderStatus,
    PageView,
    Product,
    Review,
    SearchQuery,
    WishlistItem,
)
from commerce.resources import OrderResource, ProductResource
from commerce.selectors.products import ASPECT_LABELS, product_review_sentiment_summary
from commerce.services.orders import TRANSITIONS, order_create, order_status_change
from commerce.services.products import order_delete, product_deactivate, product_delete
from customers.search_terms import customers_matching


class BuyerDataAdminMixin(CustomerDataAdminMixin):
    """Shop rows whose customer is ``buyer`` or ``customer``."""

    customers_matching = staticmethod(customers_matching)

    def customer_ids_of(self, obj: Any) -> list[int]:
        customer_id = getattr(obj, "buyer_id", None) or getattr(obj, "customer_id", None)
        return [customer_id] if customer_id else []


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "parent", "sort_order", "product_count")
    list_editable = ("sort_order",)
    search_fields = ("name", "name_en")
    list_select_related = ("parent",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="상품 수", ordering="product_count")
    def product_count(self, obj: Category) -> int:
        return obj.product_count  # type: ignore[attr-defined]


@admin.register(Product)
class ProductAdmin(
    ServiceDeleteAdminMixin, AuditedImportExportMixin, ImportExportMixin, ExportActionMixin, admin.ModelAdmin
):
    resource_classes = [ProductResource]
    show_change_form_export = False
    list_display = ("sku", "name", "category", "price_display", "rating_display", "review_count", "is_active")
    list_display_links = ("sku", "name")
    list_filter = ("is_active", "currency", "category")
    search_fields = ("name", "name_en", "=sku")
    search_help_text = "상품명, 영문명 또는 상품 코드로 검색"
    date_hierarchy = "created_at"
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    readonly_fields = (
        "image_preview",
        "nutrition_display",
        "rating_summary",
        "recent_reviews",
        "review_sentiment_summary",
        "created_at",
        "updated_at",
    )
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (
            "상품",
            {
                "fields": (
                    "name",
                    "name_en",
                    "category",
                    "sku",
                    "price",
                    "unit_cost",
                    "currency",
                    "is_active",
                    "description",
                )
            },
        ),
        ("이미지", {"fields": ("image_url", "image_preview")}),
        ("영양 정보", {"fields": ("nutrition_facts", "nutrition_display")}),
        ("리뷰", {"fields": ("rating_summary", "review_sentiment_summary", "recent_reviews")}),
        ("기록", {"fields": ("created_at", "updated_at")}),
    )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        token = _viewing_request.set(request if request.method == "GET" else None)  # per request, thread-safe
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # the review list (and its audit row) is built while rendering
            return response
        finally:
            _viewing_request.reset(token)

    @admin.display(description="이미지 미리보기")
    def image_preview(self, obj: Product) -> str:
        if not obj.image_url:
            return "-"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener"><img src="{0}" alt="{1}" style="max-width:240px;max-height:240px;'
            'border:1px solid var(--hairline-color);border-radius:4px"></a>',
            obj.image_url,
            obj.name,
        )

    @admin.display(description="영양 정보 (표)")
    def nutrition_display(self, obj: Product) -> str:
        facts = obj.nutrition_facts or {}
        if not isinstance(facts, dict) or not facts:
            return "-"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td style='text-align:right'>{}</td></tr>",
            ((NUTRITION_LABELS.get(k, k), _num(v)) for k, v in facts.items()),
        )
        return format_html('<table class="nutrition">{}</table>', rows)

    @admin.display(description="평점")
    def rating_summary(self, obj: Product) -> str:
        if obj.pk is None:
            return "-"
        agg = obj.reviews.aggregate(n=Count("id"), avg=Avg("rating"))
        if not agg["n"]:
            return "리뷰 없음"
        return f"★ {agg['avg']:.1f} / 5 (리뷰 {agg['n']:,}건)"

    @admin.display(description="최근 리뷰")
    def recent_reviews(self, obj: Product) -> str:
        if obj.pk is None:
            return "-"
        reviews = list(obj.reviews.select_related("customer").order_by("-created_at")[:5])
        if not reviews:
            return "-"
        request = _viewing_request.get()
        if request is not None:
            # reviewers' names are customer data: the page view is audited like any other
            principal = principal_from_user(request.user)
            audit_log(
                action=AuditLog.Action.VIEW,
                request=request,
                customer_ids=sorted({r.customer_id for r in reviews}),
                query={"model": "commerce.Review", "product_id": obj.pk, "view": "product-recent-reviews"},
                fields_unmasked=["name"] if principal.can_view_unmasked else [],
                status_code=200,
            )
        items = format_html_join(
            "",
            "<li>{} {} · {} — {}</li>",
            (("★" * r.rating, r.created_at.strftime("%Y-%m-%d"), str(r.customer), r.content[:120]) for r in reviews),
        )
        link = reverse("admin:commerce_review_changelist") + f"?product__id__exact={obj.pk}"
        return format_html('<ul style="margin:0;padding-left:1em">{}</ul><a href="{}">리뷰 모두 보기</a>', items, link)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The rating is derived from reviews (never stored): one aggregate per page, no N+1.
        return super().get_queryset(request).annotate(rating_avg=Avg("reviews__rating"), review_total=Count("reviews"))

    @admin.display(description="가격", ordering="price")
    def price_display(self, obj: Product) -> str:
        return money(obj.price, obj.currency)

    @admin.display(description="평점", ordering="rating_avg")
    def rating_display(self, obj: Product) -> str:
        avg = obj.rating_avg  # type: ignore[attr-defined]
        return f"★ {avg:.1f}" if avg is not None else "-"

    @admin.display(description="리뷰 수", ordering="review_total")
    def review_count(self, obj: Product) -> int:
        return obj.review_total  # type: ignore[attr-defined]

    # Deactivation and deletion go through the services: they log the row for the search index.
    actions = ["deactivate_selected"]

    @admin.action(description="선택한 상품 판매 중지")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = principal_from_user(request.user)
        changed = 0
        for product in queryset.filter(is_active=True):
            product_deactivate(actor=actor, product=product, request=request)
            changed += 1
        self.message_user(request, f"{changed}개 상품을 판매 중지했습니다", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            product_deactivate(actor=principal_from_user(request.user), product=obj, request=request)
        else:
            super().save_model(request, obj, form, change)

    def delete_by_service(self, request: HttpRequest, obj: Product, *, actor: Principal) -> None:
        product_delete(actor=actor, product=obj, request=request)

    @admin.display(description="리뷰 감정 요약")
    def review_sentiment_summary(self, obj: Product) -> str:
        if obj.pk is None:
            return "-"
        summary = product_review_sentiment_summary(product_id=obj.pk)
        if not summary["scored"]:
            return "감정 분석된 리뷰가 없습니다"
        c = summary["counts"]
        praised = [(ASPECT_LABELS.get(a, a), v["positive"]) for a, v in summary["aspects"].items() if v["positive"]]
        criticised = sorted(
            ((ASPECT_LABELS.get(a, a), v["negative"]) for a, v in summary["aspects"].items() if v["negative"]),
            key=lambda kv: -kv[1],
        )
        return format_html(
            "분석된 리뷰 {}건 · 긍정 {}% (긍정 {} / 중립 {} / 부정 {})<br>호평: {}<br>혹평: {}",
            summary["scored"],
            f"{summary['positive_share'] * 100:.0f}",
            c["positive"],
            c["neutral"],
            c["negative"],
            ", ".join(f"{name} {n}건" for name, n in praised) or "-",
            ", ".join(f"{name} {n}건" for name, n in criticised) or "-",
        )


_viewing_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("product_page", default=None)

NUTRITION_LABELS = {
    "serving_size_g": "1회 제공량 (g)",
    "calories_kcal": "열량 (kcal)",
    "sodium_mg": "나트륨 (mg)",
    "carbohydrate_g": "탄수화물 (g)",
    "sugars_g": "당류 (g)",
    "protein_g": "단백질 (g)",
    "fat_g": "지방 (g)",
    "saturated_fat_g": "포화지방 (g)",
    "trans_fat_g": "트랜스지방 (g)",
    "cholesterol_mg": "콜레스테롤 (mg)",
}


def _num(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return str(value)


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ("product", "quantity", "unit_price", "subtotal")
    readonly_fields = ("subtotal",)
    autocomplete_fields = ("product",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("product")

    def get_extra(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any) -> int:
        return 3 if obj is None else 0

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        # Lines are given when the order is created; afterwards an order's lines are history.
        return obj is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(
    ServiceSaveAdminMixin,
    ServiceDeleteAdminMixin,
    BuyerDataAdminMixin,
    AuditedImportExportMixin,
    ImportExportMixin,
    ExportActionMixin,
    admin.ModelAdmin,
):
    resource_classes = [OrderResource]
    show_change_form_export = False
    list_display = ("id", "created_at", "buyer", "status", "total_display", "item_count", "external_ref")
    list_filter = ("status", "currency")
    search_fields = ("=id", "=external_ref", "=buyer__id", "buyer__name", "buyer__phone")
    customer_search_path = "buyer"
    search_help_text = "주문 번호, 외부 주문 번호, 구매자 ID·이름·전화번호로 검색"
    date_hierarchy = "created_at"
    list_select_related = ("buyer",)
    raw_id_fields = ("buyer",)
    show_full_result_count = False
    inlines = (OrderItemInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A correlated subquery, evaluated for the 50 rows of the page only; Count("items")
        # would GROUP BY every order before the LIMIT (seconds at 100k orders).
        lines = OrderItem.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Count("*"))
        return super().get_queryset(request).annotate(line_count=Subquery(lines.values("n")))

    @admin.display(description="합계", ordering="total")
    def total_display(self, obj: Order) -> str:
        return money(obj.total, obj.currency)

    @admin.display(description="항목 수", ordering="line_count")
    def item_count(self, obj: Order) -> int:
        return obj.line_count  # type: ignore[attr-defined]

    def get_fields(self, request: HttpRequest, obj: Order | None = None) -> list[Any]:
        if obj is None:
            return ["buyer", "currency", "created_at", "status"]
        return ["buyer", "status", "total", "currency", "created_at", "updated_at", "external_ref"]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        if obj is None:
            return []
        readonly = ["buyer", "total", "currency", "created_at", "updated_at", "external_ref"]
        if not TRANSITIONS[obj.status]:
            readonly.insert(0, "status")  # delivered or cancelled: nothing left to choose
        return readonly

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The status dropdown offers only the current status and the transitions the order
        service accepts from it (commerce.services.orders.TRANSITIONS)."""
        if db_field.name == "status":
            current = getattr(request, "_order_status", None)
            if current is not None:
                allowed = [current, *[s for s in OrderStatus.values if s in TRANSITIONS[current]]]
                kwargs["choices"] = [(v, OrderStatus(v).label) for v in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Order | None = None, change: bool = False, **kwargs: Any) -> Any:
        request._order_status = obj.status if obj is not None else None  # type: ignore[attr-defined]
        return super().get_form(request, obj, change=change, **kwargs)

    def delete_by_service(self, request: HttpRequest, obj: Order, *, actor: Principal) -> None:
        order_delete(actor=actor, order=obj, request=request)

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        if not change:
            return  # created with its lines in save_related, by the service
        if "status" in form.changed_data:
            # the service reads the stored status under a lock and checks the transition
            order_status_change(actor=principal_from_user(request.user), request=request, order=obj, status=obj.status)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            # the formsets never save themselves (the admin's change message reads these)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            return  # lines are read-only after creation
        items = [
            (f.cleaned_data["product"], f.cleaned_data["quantity"], f.cleaned_data.get("unit_price"))
            for formset in formsets
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")
        ]
        data = form.cleaned_data
        order = order_create(
            actor=principal_from_user(request.user),
            request=request,
            buyer=data["buyer"],
            items=items,
            currency=data["currency"],
            created_at=data.get("created_at"),
            status=data.get("status") or OrderStatus.PENDING,
        )
        form.instance.pk = order.pk
        form.instance.refresh_from_db()


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdminMixin, BuyerDataAdminMixin, admin.ModelAdmin):
    """Order lines across orders (e.g. everything sold of one product). Lines are written with
    their order by ``order_create``: read-only here."""

    list_display = ("order", "order_created_at", "product", "quantity", "unit_price", "subtotal", "currency")
    list_filter = ("order__status", "order__currency")
    search_fields = ("=order__id", "=product__sku", "product__name")
    list_select_related = ("order", "product")
    raw_id_fields = ("order", "product")
    show_full_result_count = False

    def customer_ids_of(self, obj: OrderItem) -> list[int]:
        return [obj.order.buyer_id]

    @admin.display(description="주문 일시", ordering="order__created_at")
    def order_created_at(self, obj: OrderItem) -> object:
        return obj.order.created_at

    @admin.display(description="통화")
    def currency(self, obj: OrderItem) -> str:
        return obj.order.currency


class ReviewAspectFilter(admin.SimpleListFilter):
    """Reviews whose aspect (맛, 배송 …) was scored positive or negative."""

    title = "측면별 감정"
    parameter_name = "aspect"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (f"{aspect}:{label}", f"{name} {label_ko}")
            for aspect, name in ASPECT_LABELS.items()
            for label, label_ko in (("positive", "호평"), ("negative", "혹평"))
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or ":" not in value:
            return queryset
        aspect, label = value.split(":", 1)
        if aspect not in ASPECT_LABELS or label not in ("positive", "negative", "neutral"):
            return queryset
        return queryset.filter(**{f"sentiment_aspects__{aspect}__sentiment": label})


SENTIMENT_LABELS = dict(SENTIMENT_CHOICES)


@admin.register(Review)
class ReviewAdmin(BuyerDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "product", "customer", "rating", "content_preview", "sentiment", "aspects_display")
    list_filter = ("rating", "sentiment", ReviewAspectFilter, "sentiment_model_version")
    # the scores and aspects are shown in Korean (scores_display, aspects_detail), not as raw JSON
    exclude = ("sentiment_scores", "sentiment_aspects")
    readonly_fields = (
        "sentiment",
        "scores_display",
        "aspects_detail",
        "sentiment_model_version",
        "sentiment_scored_at",
    )
    search_fields = ("product__name", "content", "=customer__id")
    date_hierarchy = "created_at"
    list_select_related = ("product", "customer")
    raw_id_fields = ("customer", "order")
    autocomplete_fields = ("product",)
    show_full_result_count = False

    @admin.display(description="내용")
    def content_preview(self, obj: Review) -> str:
        return (obj.content[:40] + "…") if len(obj.content) > 40 else obj.content

    @admin.display(description="감정 점수")
    def scores_display(self, obj: Review) -> str:
        scores = obj.sentiment_scores or {}
        if not scores:
            return "아직 분석되지 않았습니다"
        return " · ".join(
            f"{label} {float(scores.get(key, 0.0)) * 100:.1f}%" for key, label in SENTIMENT_LABELS.items()
        )

    @admin.display(description="측면별 감정 (점수)")
    def aspects_detail(self, obj: Review) -> str:
        aspects = obj.sentiment_aspects or {}
        if not aspects:
            return "언급된 측면이 없습니다" if obj.sentiment_scores else "-"
        return " · ".join(
            f"{ASPECT_LABELS.get(a, a)} {SENTIMENT_LABELS.get((r or {}).get('sentiment'), '?')} "
            f"({float((r or {}).get('score') or 0.0):.2f})"
            for a, r in aspects.items()
        )

    @admin.display(description="측면별 감정 (+ 호평 · 중립 − 혹평)")
    def aspects_display(self, obj: Review) -> str:
        marks = {"positive": "+", "neutral": "·", "negative": "−"}
        parts = [
            f"{ASPECT_LABELS.get(a, a)}{marks.get((r or {}).get('sentiment'), '?')}"
            for a, r in (obj.sentiment_aspects or {}).items()
        ]
        return " ".join(parts) or "-"


@admin.register(WishlistItem)
class WishlistItemAdmin(BuyerDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "product")
    search_fields = ("=customer__id", "product__name")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "product")
    raw_id_fields = ("customer",)
    autocomplete_fields = ("product",)
    show_full_result_count = False


class EventAdmin(BuyerDataAdminMixin, admin.ModelAdmin):
    """Browsing and cart events are recorded by the shop: read-only here."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CartEvent)
class CartEventAdmin(EventAdmin):
    list_display = ("occurred_at", "cart_id", "customer", "event", "product", "quantity", "order")
    list_filter = ("event",)
    search_fields = ("=cart_id", "=customer__id")
    date_hierarchy = "occurred_at"
    list_select_related = ("customer", "product", "order")


@admin.register(PageView)
class PageViewAdmin(EventAdmin):
    list_display = ("viewed_at", "session_id", "customer", "path", "product", "category", "duration_seconds")
    search_fields = ("=session_id", "=customer__id", "path")
    date_hierarchy = "viewed_at"
    list_select_related = ("customer", "product", "category")


@admin.register(SearchQuery)
class SearchQueryAdmin(EventAdmin):
    list_display = ("searched_at", "query", "results_count", "customer", "session_id")
    search_fields = ("query", "=customer__id")
    date_hierarchy = "searched_at"
    list_select_related = ("customer",)
