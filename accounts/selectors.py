"""Reads of the accounts app: the audit log for ADMIN."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditLog


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_logs_list(
    *,
    customer_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLog]:
    """Audit rows, newest first. ``actor`` matches the actor name exactly (a username or a
    service ``sub``); ``date_to`` is inclusive (local dates, Asia/Seoul)."""
    qs = AuditLog.objects.all()
    if customer_id is not None:
        if connection.vendor == "postgresql":
            qs = qs.filter(customer_ids__contains=[customer_id])  # jsonb @>, GIN-indexed
        else:
            qs = qs.extra(
                where=["EXISTS (SELECT 1 FROM json_each(accounts_auditlog.customer_ids) WHERE value = %s)"],
                params=[customer_id],
            )
    if actor:
        qs = qs.filter(actor_name=actor)
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to) + timezone.timedelta(days=1))
    return qs.order_by("-created_at", "-id")
