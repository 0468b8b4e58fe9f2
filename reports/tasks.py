"""Celery beat tasks of the reports app (schedule in ``config/settings/base.py``)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from .services.reports import report_last_month_request, reports_expire


@shared_task(name="reports.request_last_month_pdf", ignore_result=True)
def request_last_month_pdf() -> str | None:
    """On the 1st: queue last month's PDF (skipped if one already completed)."""
    outcome = report_last_month_request()
    return outcome[0].report_id if outcome else None


@shared_task(name="reports.expire_files", ignore_result=True)
def expire_files() -> int:
    """Delete report files older than ``REPORTS_RETENTION_DAYS`` and mark them expired."""
    return reports_expire(older_than_days=settings.REPORTS_RETENTION_DAYS)


@worker_process_init.connect
def _warm_up_renderers(**_kwargs: object) -> None:
    """Import WeasyPrint and pyplot when a worker process starts (a few seconds once), not
    inside the first report a user waits for."""
    from .render.pdf import warm_up

    warm_up()


@shared_task(name="reports.refresh_overview", ignore_result=True)
def refresh_overview() -> str:
    """Compute the admin overview and store it for every process (beat every five minutes,
    and enqueued when a staff view finds the stored copy stale)."""
    from .overview import overview_refresh

    return overview_refresh()["computed_at"].isoformat()
