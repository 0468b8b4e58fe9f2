"""The served recommender: the newest ``shop_product_recs`` artifact of the model registry,
deserialised once per process (``ml.registry`` memoises it by artifact id). A new training
run saves a new row; each worker switches to it on its next request, without a restart and
without a request ever training."""

from __future__ import annotations

from ml.models import ModelArtifact
from ml.registry import LoadedModel, artifact_load_latest

MODEL_NAME = "shop_product_recs"


def served_model() -> LoadedModel | None:
    return artifact_load_latest(MODEL_NAME)


def served_model_id() -> int | None:
    """Id of the artifact that would be served (part of cache keys)."""
    return (
        ModelArtifact.objects.filter(name=MODEL_NAME, is_active=True)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
