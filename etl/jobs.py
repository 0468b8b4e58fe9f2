"""Job handlers of the ETL app (discovered by ``core.jobs``)."""

from __future__ import annotations

from core.jobs import JobContext, job_handler

from .models import SyncRun
from .services.sync import JOB_KIND, sync_execute


@job_handler(JOB_KIND)
def etl_sync(ctx: JobContext) -> dict:
    run = SyncRun.objects.select_related("job").get(job=ctx.job)
    return sync_execute(run=run, ctx=ctx)
