"""The center's catalogue in the back office: services, packages and what each package holds."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest

from accounts.backoffice.display import money
from customers.models import Package, PackageItem, Service


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


class PackageAdmin(admin.ModelAdmin):
    list_display = ("name", "price_display", "validity_days", "items_display", "purchase_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    # Meta.ordering is not applied to a GROUP BY query (the purchase count): order explicitly
    ordering = ("price", "pk")
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


class PackageItemAdmin(admin.ModelAdmin):
    list_display = ("package", "service", "sessions")
    list_filter = ("service", "package")
    search_fields = ("package__name", "service__name")
    list_select_related = ("package", "service")
    autocomplete_fields = ("package", "service")
