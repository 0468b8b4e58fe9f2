"""Save and load versioned model artifacts (joblib bytes in :class:`ml.models.ModelArtifact`).

Loaded models are memoised per process by artifact id, so a new version is picked up on the
next request after it is saved, without a restart.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import joblib
from django.db import transaction
from django.utils import timezone

from .models import ModelArtifact

_lock = threading.Lock()
_loaded: dict[str, tuple[tuple[int, str], Any]] = {}  # name -> ((artifact id, version), model)


@dataclass(frozen=True)
class LoadedModel:
    artifact_id: int
    name: str
    version: str
    trained_as_of: date | None
    metrics: dict
    params: dict
    model: Any


def artifact_save(*, name: str, model: Any, trained_as_of: date | None, metrics: dict, params: dict) -> ModelArtifact:
    """Serialise ``model`` and save it as the newest active version of ``name``."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    version = f"{timezone.now():%Y%m%d%H%M%S}-{hashlib.sha256(data).hexdigest()[:8]}"
    with transaction.atomic():
        return ModelArtifact.objects.create(
            name=name,
            version=version,
            trained_as_of=trained_as_of,
            metrics=metrics,
            params=params,
            blob=data,
            sha256=hashlib.sha256(data).hexdigest(),
        )


def artifact_load_latest(name: str) -> LoadedModel | None:
    """The newest active artifact of ``name``, or ``None`` if none was trained."""
    row = (
        ModelArtifact.objects.filter(name=name, is_active=True)
        .order_by("-created_at", "-id")
        .values("id", "version", "trained_as_of", "metrics", "params")
        .first()
    )
    if row is None:
        return None
    with _lock:
        cached = _loaded.get(name)
    # the version too: ids are reused when a test database rolls back
    if cached is not None and cached[0] == (row["id"], row["version"]):
        model = cached[1]
    else:
        blob = ModelArtifact.objects.values_list("blob", flat=True).get(pk=row["id"])
        model = joblib.load(io.BytesIO(bytes(blob)))
        with _lock:
            _loaded[name] = ((row["id"], row["version"]), model)  # one version per name per process
    return LoadedModel(
        artifact_id=row["id"],
        name=name,
        version=row["version"],
        trained_as_of=row["trained_as_of"],
        metrics=row["metrics"],
        params=row["params"],
        model=model,
    )


def artifact_memo_clear() -> None:
    """Forget the loaded models of this process (benchmarks measure the first, cold load)."""
    with _lock:
        _loaded.clear()
