"""The sync of an entity to a search target (seed 000 §7).

:func:`etl_sync_start` validates the request, takes the (entity, target) lock in the database,
counts the change set, creates the job and its :class:`~etl.models.SyncRun` and sends it to the
job engine. :func:`sync_execute` (the job handler) copies the change set batch by batch; the
cursor moves only after the target acknowledged a batch, so a run that dies midway and is
started again sends exactly what is left. A full run builds a new index and swaps the alias
(``SyncState.index_name``, one UPDATE together with the cursor) only when it is complete.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from commerce.models import DeletionLog
from core.errors import ApiError, ValidationFailed
from core.jobs import JobContext, job_create, job_send, jobs_reap_stale
from core.models import Job
from etl.documents import (
    SPECS,
    EntitySpec,
    changed_rows,
    count_change_set,
    deletion_entries,
    is_indexable,
    iter_batches,
)
from etl.errors import EtlErrorCode
from etl.models import Entity, Mode, SyncRun, SyncState, Target
from etl.targets import default_target, get_target, target_configured

JOB_KIND = "etl.sync"
MAX_FAILURES_LISTED = 500
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)

# The management command shows a progress bar: it sets this to a callback taking the number
# of records just processed. The job runs in the same thread there, so a context variable is enough.
progress_hook: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "etl_progress_hook", default=None
)


def source_name() -> str:
    """The application's own database, as the request names it."""
    return "postgresql" if connection.vendor == "postgresql" else connection.vendor


def _choice(field: str, value: str | None, choices: list[str]) -> None:
    if value not in choices:
        raise ValidationFailed(
            message=f"{field} 값이 올바르지 않습니다. 가능한 값: {', '.join(choices)}",
            details={field: value, "choices": choices},
        )


def _next_job_id(today: dt.date) -> str:
    prefix = f"ETL-{today:%Y%m%d}-"
    last = SyncRun.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def cursor_of(state: SyncState) -> dict:
    return {
        "updated_at": state.cursor_updated_at.isoformat() if state.cursor_updated_at else None,
        "id": state.cursor_id,
        "deletion_log_id": state.deletion_cursor,
        "index": state.index_name or None,
    }


def _lock_holder(state: SyncState) -> Job | None:
    if not state.lock_job_id:
        return None
    jobs_reap_stale(job_ids=[state.lock_job_id])  # a dead worker holds nothing
    job = Job.objects.filter(pk=state.lock_job_id, status__in=ACTIVE).first()
    return job


def etl_sync_start(
    *,
    actor: object | None,
    entity: str | None,
    mode: str | None = None,
    target: str | None = None,
    source: str | None = None,
    request: object | None = None,
    send: bool = True,
) -> SyncRun:
    """Start a sync of ``entity`` to ``target`` (default: the configured one). Raises
    ``VALIDATION_ERROR`` (nothing created) or 409 ``SYNC_IN_PROGRESS``."""
    mode = mode or Mode.INCREMENTAL
    source = source or source_name()
    target = target or default_target()
    _choice("source", source, [source_name()])
    _choice("entity", entity, list(Entity.values))
    _choice("mode", mode, list(Mode.values))
    _choice("target", target, list(Target.values))
    if not target_configured(target):
        raise ValidationFailed(
            message=f"검색 서버({target})가 설정되지 않았습니다. SEARCH_URL과 SEARCH_BACKEND를 확인하세요",
            details={"target": target, "configured": [t for t in Target.values if target_configured(t)]},
        )
    spec = SPECS[entity]
    watermark = timezone.now() - dt.timedelta(seconds=settings.ETL_SAFETY_LAG_SECONDS)
    with transaction.atomic():
        SyncState.objects.get_or_create(entity=entity, target=target)
        state = SyncState.objects.select_for_update().get(entity=entity, target=target)
        holder = _lock_holder(state)
        if holder is not None:
            running = SyncRun.objects.filter(job=holder).values_list("code", flat=True).first()
            raise ApiError(
                EtlErrorCode.SYNC_IN_PROGRESS,
                status=409,
                details={"job_id": running, "entity": entity, "target": target},
            )
        effective = mode if state.index_name else Mode.FULL  # nothing to update yet: build it
        if effective == Mode.FULL:
            resume_after = state.pending_cursor_id if state.pending_index else 0
            records = spec.model.objects.filter(spec.indexable, id__gt=resume_after).count()
        else:
            records = count_change_set(
                spec,
                after=(state.cursor_updated_at, state.cursor_id),
                deletion_after=state.deletion_cursor,
                watermark=watermark,
            )
        params = {"source": source, "entity": entity, "target": target, "mode": effective, "requested_mode": mode}
        job = job_create(kind=JOB_KIND, params=params, actor=actor)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    run = SyncRun.objects.create(
                        code=_next_job_id(timezone.localdate()),
                        job=job,
                        state=state,
                        source=source,
                        entity=entity,
                        target=target,
                        mode=effective,
                        records_to_sync=records,
                        watermark=watermark,
                        cursor_before=cursor_of(state),
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five concurrent starts in the same instant
            raise ApiError(EtlErrorCode.SYNC_IN_PROGRESS, status=409)
        state.lock_job = job
        state.locked_at = timezone.now()
        state.last_run = run
        state.save(update_fields=["lock_job", "locked_at", "last_run"])
        audit_log(
            action=AuditLog.Action.EXPORT,
            request=request,
            principal=actor,  # type: ignore[arg-type]
            actor_name=None if actor is not None else "etl-schedule",
            query={**params, "job_id": run.code, "records_to_sync": records},
            status_code=202,
        )
        if send:
            transaction.on_commit(lambda: job_send(job.pk))
    return run


@dataclass
class _Progress:
    ctx: JobContext
    run: SyncRun
    total: int
    counts: dict
    started: float

    def add(self, n: int, **counts: int) -> None:
        for key, value in counts.items():
            self.counts[key] += value
        self.ctx.progress(
            self.counts["extracted"],
            self.total,
            counts={**self.counts, "duration_seconds": round(time.monotonic() - self.started, 3)},
        )
        hook = progress_hook.get()
        if hook is not None:
            hook(n)

    def fail(self, failures: list[dict]) -> None:
        if not failures:
            return
        listed = list(self.run.failures or [])
        listed.extend(failures[: max(0, MAX_FAILURES_LISTED - len(listed))])
        self.run.failures = listed
        SyncRun.objects.filter(pk=self.run.pk).update(failures=listed)


def _split(spec: EntitySpec, rows: list[dict]) -> tuple[list[dict], list[int], list[dict]]:
    """Rows → (documents to upsert, ids to delete, failures)."""
    keep = [r for r in rows if is_indexable(spec, r)]
    deletes = [r["id"] for r in rows if not is_indexable(spec, r)]
    docs, failures = [], []
    for row, doc in zip(keep, spec.build(keep), strict=True):
        if isinstance(doc, Exception):
            failures.append({spec.key: row["id"], "error": f"{type(doc).__name__}: {doc}"[:500]})
        else:
            docs.append(doc)
    return docs, deletes, failures


def _incremental(run: SyncRun, state: SyncState, spec: EntitySpec, progress: _Progress) -> None:
    target = get_target(run.target)
    size = settings.ETL_BATCH_SIZE
    after = (state.cursor_updated_at, state.cursor_id)
    changed_ids = set(changed_rows(spec, after=after, watermark=run.watermark).values_list("id", flat=True))
    writer = target.open_writer(run.entity, state.index_name)
    ok = False
    try:
        entries = deletion_entries(spec, after=state.deletion_cursor, watermark=run.watermark)
        while True:
            batch = list(entries.filter(id__gt=state.deletion_cursor).values("id", "object_id")[:size])
            if not batch:
                break
            ids = list(dict.fromkeys(e["object_id"] for e in batch if e["object_id"] not in changed_ids))
            # a row logged, then re-activated, is no deletion (the row pass sends it)
            alive = set(spec.model.objects.filter(spec.indexable, pk__in=ids).values_list("id", flat=True))
            deletes = [i for i in ids if i not in alive]
            writer.write(upserts=[], deletes=deletes)
            state.deletion_cursor, now = batch[-1]["id"], timezone.now()
            SyncState.objects.filter(pk=state.pk).update(deletion_cursor=state.deletion_cursor, indexed_at=now)
            target.publish(run.entity, index_name=state.index_name, indexed_at=now)
            progress.add(len(ids), extracted=len(ids), deleted=len(deletes), skipped=len(ids) - len(deletes))
        for rows in iter_batches(changed_rows(spec, after=after, watermark=run.watermark), spec, size):
            docs, deletes, failures = _split(spec, rows)
            build_failed = len(failures)
            failures += writer.write(upserts=docs, deletes=deletes)
            last = rows[-1]
            state.cursor_updated_at, state.cursor_id, now = last["updated_at"], last["id"], timezone.now()
            SyncState.objects.filter(pk=state.pk).update(
                cursor_updated_at=state.cursor_updated_at, cursor_id=state.cursor_id, indexed_at=now
            )
            target.publish(run.entity, index_name=state.index_name, indexed_at=now)
            progress.fail(failures)
            progress.add(
                len(rows),
                extracted=len(rows),
                indexed=len(docs) - (len(failures) - build_failed),
                deleted=len(deletes),
                failed=len(failures),
            )
        ok = True
    finally:
        writer.close(ok=ok)


def _full(run: SyncRun, state: SyncState, spec: EntitySpec, progress: _Progress) -> None:
    target = get_target(run.target)
    size = settings.ETL_FULL_BATCH_SIZE
    if not (state.pending_index and target.exists(run.entity, state.pending_index)):
        name = f"{run.entity}-{run.code.lower()}"
        target.create_index(run.entity, name)
        last_log = (
            DeletionLog.objects.filter(entity=spec.log_entity, created_at__lte=run.watermark)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        state.pending_index, state.pending_cursor_id = name, 0
        state.pending_watermark, state.pending_deletion_cursor = run.watermark, last_log or 0
        SyncState.objects.filter(pk=state.pk).update(
            pending_index=name,
            pending_cursor_id=0,
            pending_watermark=run.watermark,
            pending_deletion_cursor=state.pending_deletion_cursor,
        )
    writer = target.open_writer(run.entity, state.pending_index)
    ok = False
    try:
        qs = spec.model.objects.filter(spec.indexable, id__gt=state.pending_cursor_id).order_by("id")
        for rows in iter_batches(qs, spec, size):
            docs, _deletes, failures = _split(spec, rows)
            build_failed = len(failures)
            failures += writer.write(upserts=docs, deletes=[])
            state.pending_cursor_id = rows[-1]["id"]
            SyncState.objects.filter(pk=state.pk).update(pending_cursor_id=state.pending_cursor_id)
            progress.fail(failures)
            progress.add(
                len(rows), extracted=len(rows), indexed=len(docs) - (len(failures) - build_failed), failed=len(failures)
            )
        ok = True
    finally:
        writer.close(ok=ok)
    old, new = state.index_name, state.pending_index
    now = timezone.now()
    # readers follow the alias: from here on every process searches the new, complete index
    # (a crash before the row below is updated resumes the pending build, which is complete)
    target.switch_alias(run.entity, new, old)
    target.publish(run.entity, index_name=new, indexed_at=now, document_count=target.count(run.entity, new))
    with transaction.atomic():
        SyncState.objects.filter(pk=state.pk).update(
            index_name=new,
            cursor_updated_at=state.pending_watermark,
            cursor_id=0,
            deletion_cursor=state.pending_deletion_cursor,
            pending_index="",
            pending_cursor_id=0,
            pending_watermark=None,
            pending_deletion_cursor=0,
            indexed_at=now,
        )
    # keep the previous index a while: a reader in another process may still be on it
    for name in target.list_indexes(run.entity):
        if name not in {new, old}:
            target.drop_index(run.entity, name)


def sync_execute(*, run: SyncRun, ctx: JobContext) -> dict:
    """Run a sync (the job handler). Returns the job's result."""
    state = SyncState.objects.get(pk=run.state_id)
    if state.lock_job_id != run.job_id:
        raise RuntimeError("동기화 잠금을 잃었습니다")
    spec = SPECS[run.entity]
    started = time.monotonic()
    progress = _Progress(
        ctx=ctx,
        run=run,
        total=run.records_to_sync,
        counts={"extracted": 0, "indexed": 0, "deleted": 0, "skipped": 0, "failed": 0},
        started=started,
    )
    progress.add(0)
    try:
        if run.mode == Mode.FULL:
            _full(run, state, spec, progress)
        else:
            _incremental(run, state, spec, progress)
    except Exception:
        SyncState.objects.filter(pk=state.pk, lock_job=run.job).update(lock_job=None, locked_at=None)
        raise
    state.refresh_from_db()
    target = get_target(run.target)
    document_count = target.count(run.entity, state.index_name)
    SyncState.objects.filter(pk=state.pk).update(document_count=document_count)
    target.publish(run.entity, index_name=state.index_name, indexed_at=state.indexed_at, document_count=document_count)
    run.cursor_after = cursor_of(state)
    SyncRun.objects.filter(pk=run.pk).update(cursor_after=run.cursor_after)
    SyncState.objects.filter(pk=state.pk, lock_job=run.job).update(lock_job=None, locked_at=None)
    return {
        "index": state.index_name,
        "document_count": document_count,
        "duration_seconds": round(time.monotonic() - started, 3),
    }
