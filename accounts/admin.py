"""Back office for users (role ↔ group kept in sync) and the audit log (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from .backoffice.writes import ReadOnlyAdminMixin
from .masking import mask_name
from .models import AuditLog, User
from .principal import principal_of
from .sealing import unseal
from .services import role_groups_ensure, user_sync_role_groups


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their role; saving a user puts it in its role's group (직원/매니저/관리자)."""

    list_display = ("username", "display_name", "role", "is_staff", "is_active", "last_login")
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("개인 정보", {"fields": ("display_name", "first_name", "last_name", "email")}),
        (
            "역할·권한",
            {
                "fields": ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": "역할을 바꾸면 저장할 때 역할 그룹(직원/매니저/관리자)이 함께 바뀝니다. "
                "관리자 화면에 들어오려면 '스태프 권한'이 필요합니다.",
            },
        ),
        ("기록", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "role", "is_staff", "password1", "password2"),
            },
        ),
    )

    def save_related(self, request: HttpRequest, form: object, formsets: object, change: bool) -> None:
        # The form has just written the groups field; the role's group wins over it.
        super().save_related(request, form, formsets, change)
        user_sync_role_groups(user=form.instance, groups=role_groups_ensure())  # type: ignore[attr-defined]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: no add, change or delete, for anyone."""

    list_display = ("created_at", "actor_display", "role", "action", "customer_ids", "path", "status_code", "cache_hit")
    list_filter = ("action", "actor_type", "role", "cache_hit")
    search_fields = ("actor_name", "request_id", "path")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 100
    show_full_result_count = False  # counting a multi-year table on every page is slow

    @admin.display(description="행위자", ordering="actor_name")
    def actor_display(self, obj: AuditLog) -> str:
        # A failed login's "actor" is whatever was typed as a username: mask it like a name.
        if obj.actor_type == "anonymous":
            return mask_name(obj.actor_name) or ""
        return obj.actor_name if obj.actor_type == "user" else f"{obj.actor_name} ({obj.actor_type})"

    def get_readonly_fields(self, request: HttpRequest, obj: AuditLog | None = None) -> list[str]:
        fields = [f.name for f in self.model._meta.fields]
        if principal_of(request).can_view_unmasked:
            fields.append("search_term_raw")
        return fields

    def get_fields(self, request: HttpRequest, obj: AuditLog | None = None) -> list[str]:
        return self.get_readonly_fields(request, obj)

    @admin.display(description="검색어 원문 (복호화)")
    def search_term_raw(self, obj: AuditLog) -> str:
        sealed = (obj.query or {}).get("q_sealed") if isinstance(obj.query, dict) else None
        return unseal(sealed) or "-"
