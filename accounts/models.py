"""Users with a role, and the append-only audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role, role_at_least


class User(AbstractUser):
    """A staff member of the center or the shop. ``role`` decides API access (see policy.py)."""

    role = models.CharField("역할", max_length=16, choices=Role.choices, default=Role.STAFF)
    display_name = models.CharField("표시 이름", max_length=50, blank=True)

    class Meta:
        verbose_name = "사용자"
        verbose_name_plural = "사용자"
        permissions = [
            ("view_health_info", "건강 정보 열람"),
            ("view_unmasked_pii", "개인정보 마스킹 해제 열람"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def has_role(self, least: Role) -> bool:
        return self.is_active and role_at_least(self.role, least)


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("감사 로그는 수정할 수 없습니다")

    def delete(self):
        raise PermissionError("감사 로그는 삭제할 수 없습니다")


class AuditLog(models.Model):
    """One row per read or write of customer data (API.md, Audit). Never updated or deleted
    through the application; ``prune_audit_logs`` removes rows past the retention period."""

    class Action(models.TextChoices):
        VIEW = "view", "조회"
        SEARCH = "search", "검색"
        LIST = "list", "목록"
        CREATE = "create", "생성"
        UPDATE = "update", "수정"
        DELETE = "delete", "삭제"
        EXPORT = "export", "내보내기"
        DOWNLOAD = "download", "다운로드"
        PRINT = "print", "인쇄"
        LOGIN = "login", "로그인"
        LOGIN_FAILED = "login_failed", "로그인 실패"
        PRUNE = "prune", "보존 기간 경과분 삭제"
        ALERT = "alert", "보안 경보"

    created_at = models.DateTimeField("시각", db_index=True)
    # No database constraint and no cascade: deleting a user must neither rewrite nor delete
    # audit rows (PostgreSQL refuses both by trigger); the id stays as recorded.
    actor_user = models.ForeignKey(
        "accounts.User",
        verbose_name="사용자",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("행위자", max_length=150, db_index=True)
    actor_type = models.CharField("행위자 유형", max_length=16, default="user")  # user|service|system
    role = models.CharField("역할", max_length=16, blank=True)
    action = models.CharField("행위", max_length=16, choices=Action.choices, db_index=True)
    customer_ids = models.JSONField("대상 고객 ID", default=list, blank=True)
    # For a search/list: the conditions; for an update: the changed fields (masked values).
    query = models.JSONField("조건·변경 내용", default=dict, blank=True)
    fields_unmasked = models.JSONField("마스킹 해제 필드", default=list, blank=True)
    fields_health = models.JSONField("건강 정보 필드", default=list, blank=True)
    path = models.CharField("경로", max_length=500, blank=True)
    method = models.CharField("메서드", max_length=10, blank=True)
    status_code = models.PositiveSmallIntegerField("상태 코드", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("요청 ID", max_length=64, blank=True, db_index=True)
    reason = models.CharField("열람 사유", max_length=500, blank=True)
    cache_hit = models.BooleanField("캐시 응답", default=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "감사 로그"
        verbose_name_plural = "감사 로그"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor_name", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.path}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("감사 로그는 수정할 수 없습니다")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("감사 로그는 삭제할 수 없습니다")
