"""Reads of the ETL app: a sync job's status and the product search on the synced index."""

from __future__ import annotations

from django.utils import timezone

from core.errors import ApiError, NotFoundError
from core.jobs import jobs_reap_stale
from core.models import Job
from core.pagination import pagination

from .errors import EtlErrorCode
from .models import Entity, SyncRun, SyncState, Target
from .targets import default_target, get_target

COUNT_KEYS = ("extracted", "indexed", "deleted", "skipped", "failed")


def sync_run_status(*, job_id: str) -> dict:
    """The public status of a sync job (``ETL-YYYYMMDD-NNNN``); reaps it first if its worker died."""
    run = SyncRun.objects.filter(code=job_id).values_list("job_id", flat=True).first()
    if run is None:
        raise NotFoundError(EtlErrorCode.ETL_JOB_NOT_FOUND)
    jobs_reap_stale(job_ids=[run])
    run = SyncRun.objects.select_related("job").get(code=job_id)
    job: Job = run.job
    counts = job.counts or {}
    end = job.finished_at or (timezone.now() if job.started_at else None)
    duration = (end - job.started_at).total_seconds() if job.started_at and end else None
    finished = job.status in (Job.Status.COMPLETED, Job.Status.FAILED)
    return {
        "job_id": run.code,
        "status": job.status,
        "progress": job.progress,
        "source": run.source,
        "target": run.target,
        "entity": run.entity,
        "mode": run.mode,
        "records_to_sync": run.records_to_sync,
        "counts": {key: int(counts.get(key, 0)) for key in COUNT_KEYS},
        "cursor_before": run.cursor_before,
        "cursor_after": run.cursor_after or None,
        "failures": run.failures or [],
        "error": job.error or None,
        "result": job.result or {},
        "duration_seconds": round(duration, 3) if duration is not None else None,
        "finished": finished,
        "created_by": job.created_by_name,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def product_search(*, params: dict) -> dict:
    """Search the live product index of the default target. Before the first sync there is no
    index: no products, ``indexed_at`` and ``index`` are null."""
    target_name = default_target()
    target = get_target(target_name)
    state = target.current(Entity.PRODUCTS)  # embedded: the pointer file, no query
    if state is None and target_name != Target.EMBEDDED:
        state = (
            SyncState.objects.filter(entity=Entity.PRODUCTS, target=target_name)
            .values("index_name", "indexed_at", "document_count")
            .first()
        )
    found_index = bool(state and state["index_name"])
    if not found_index:
        found: dict = {"products": [], "total": 0, "matched": None}
    else:
        try:
            found = target.search_products(index_name=state["index_name"], params=params)
        except ApiError:
            raise
        except (OSError, ConnectionError) as exc:
            raise ApiError(EtlErrorCode.SEARCH_UNAVAILABLE, status=503) from exc
    page, size, total = params["page"], params["size"], found["total"]
    return {
        "products": found["products"],
        "pagination": pagination(total=total, page=page, size=size),
        "query": {k: params.get(k) for k in ("q", "category_id", "min_price", "max_price", "sort")},
        "matched": found["matched"],
        "indexed_at": state["indexed_at"] if found_index else None,
        "index": (
            {"target": target_name, "name": state["index_name"], "document_count": state["document_count"]}
            if found_index
            else None
        ),
    }
