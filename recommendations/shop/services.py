"""Training the product recommender and saving it in the model registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ml.registry import artifact_save

from .engine import RecParams
from .store import MODEL_NAME
from .training import Progress, _quiet, recs_train


@dataclass
class SavedRecs:
    artifact_id: int
    version: str
    metrics: dict


def product_recs_train(*, as_of: dt.date, params: RecParams | None = None, progress: Progress = _quiet) -> SavedRecs:
    """Fit the recommender on purchases up to the end of ``as_of`` (validation split included)
    and save it as the newest ``shop_product_recs`` artifact. Raises ``ValueError`` when
    there is no purchase before the date."""
    params = params or RecParams()
    result = recs_train(as_of=as_of, params=params, progress=progress)
    row = artifact_save(
        name=MODEL_NAME, model=result.model, trained_as_of=as_of, metrics=result.metrics, params=params.as_dict()
    )
    return SavedRecs(artifact_id=row.pk, version=row.version, metrics=result.metrics)
