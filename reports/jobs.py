"""The job that makes a monthly sales report (``core.jobs`` engine: Celery on Redis, inline on
the embedded default).

Steps: figures (the dashboard selectors and the center selectors) → file in a temporary
directory → Django storage (``reports/<year>/<month>/<report_id>.<ext>``). Any failure leaves no
file behind: the temporary file goes with its directory and a stored file is deleted again; the
job is marked failed with the (Korean) message. The dedup key is released however it ends.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.files import File

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal, principal_from_user
from core.jobs import JobContext, job_handler

from .models import Report, ReportFormat
from .render.pdf import render_pdf
from .render.xlsx import render_xlsx
from .selectors.content import sales_monthly_content

logger = logging.getLogger(__name__)

RENDERERS = {ReportFormat.PDF: render_pdf, ReportFormat.XLSX: render_xlsx}


def _requester(report: Report) -> Principal | None:
    kind = report.requested_by_key.split(":", 1)[0]
    if kind == "user" and report.requested_by is not None:
        return principal_from_user(report.requested_by)
    if kind == "service":
        return Principal(
            kind="service", name=report.requested_by_name.removeprefix("service:"), role=report.requested_by_role
        )
    return None


@job_handler("reports.sales_monthly")
def sales_monthly(ctx: JobContext) -> dict:
    """Build the figures, render the file, store it; returns pages/sheets and the summary."""
    report = Report.objects.select_related("requested_by").get(report_id=ctx.params["report_id"])
    stored_name = ""
    intended = ""
    storage = report.file.storage
    try:
        ctx.progress(5)
        content = sales_monthly_content(
            year=report.year, month=report.month, unmasked=report.unmasked, currency=report.currency
        )
        ctx.progress(50, counts={"customers_named": len(content["customer_ids"])})
        with tempfile.TemporaryDirectory(prefix="report-") as tmp:
            target = Path(tmp) / f"{report.report_id}.{report.format}"
            pages = RENDERERS[ReportFormat(report.format)](
                content, include_charts=report.include_charts, report_id=report.report_id, target=target
            )
            ctx.progress(90)
            intended = report.file.field.generate_filename(report, target.name)
            if storage.exists(intended):
                intended = ""  # not ours: never delete a file this job did not write
            with target.open("rb") as handle:
                report.file.save(target.name, File(handle), save=False)
            stored_name = report.file.name
            size = target.stat().st_size
        Report.objects.filter(pk=report.pk).update(
            file=stored_name, file_size=size, customer_ids=content["customer_ids"]
        )
        requester = _requester(report)
        audit_log(
            action=AuditLog.Action.EXPORT,
            principal=requester,
            actor_name=None if requester else report.requested_by_name,
            customer_ids=content["customer_ids"],
            query={"report_id": report.report_id, "year": report.year, "month": report.month, "format": report.format},
            fields_unmasked=["name"] if report.unmasked and content["customer_ids"] else [],
            status_code=200,
        )
        return {"pages": pages, "file_size": size, "summary": content["summary"]}
    except BaseException:
        # a stored file, or what a failed upload left at the intended name, goes again
        for name in {n for n in (stored_name, intended) if n}:
            try:
                if storage.exists(name):
                    storage.delete(name)
            except OSError:
                logger.exception("could not remove the partial file %s", name)
        Report.objects.filter(pk=report.pk).update(file="", file_size=None)
        raise
    finally:
        Report.objects.filter(pk=report.pk).update(dedup_key=None)
