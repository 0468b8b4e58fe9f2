"""Optional backend: a fine-tuned transformers sequence-classification model from a local
directory (``SENTIMENT_MODEL_PATH``). Never downloads: ``local_files_only=True``. Loaded once per
process and path. Needs ``torch`` and ``transformers`` (requirements-dev.txt)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import ModelNotTrained

_lock = threading.Lock()
_loaded: dict[str, TransformersBackend] = {}
MAX_TOKENS = 256


def _positive_index(id2label: dict) -> tuple[int, int | None]:
    """(index of positive, index of neutral or None) from the model's labels; index 1 otherwise."""
    names = {int(i): str(name).lower() for i, name in (id2label or {}).items()}
    pos = next((i for i, n in names.items() if n.startswith("pos")), 1)
    neutral = next((i for i, n in names.items() if n.startswith("neu")), None)
    return pos, neutral


@dataclass
class TransformersBackend:
    version: str
    tokenizer: object
    model: object
    positive_index: int
    neutral_index: int | None
    keyword_idf: dict[str, float] = field(default_factory=dict)
    keyword_default_idf: float = 1.0
    batch_size: int = 32

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                enc = self.tokenizer(
                    texts[start : start + self.batch_size],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                probs = torch.softmax(self.model(**enc).logits, dim=-1).numpy()
                p = probs[:, self.positive_index]
                if self.neutral_index is not None:
                    p = p + probs[:, self.neutral_index] / 2  # neutral mass split between the polarities
                out.append(p)
        return np.concatenate(out) if out else np.zeros(0)


def transformers_backend(path: str) -> TransformersBackend:
    """The model at ``path``, loaded on first use in this process."""
    with _lock:
        cached = _loaded.get(path)
        if cached is not None:
            return cached
        directory = Path(path)
        if not (directory / "config.json").exists():
            raise ModelNotTrained(message="SENTIMENT_MODEL_PATH 에 모델이 없습니다")
        try:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ModelNotTrained(message="transformers 가 설치되지 않았습니다") from exc
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(directory, local_files_only=True)
        model.eval()
        pos, neutral = _positive_index(model.config.id2label)
        digest = hashlib.sha256((directory / "config.json").read_bytes()).hexdigest()[:8]
        backend = TransformersBackend(
            version=f"transformers:{directory.name}-{digest}",
            tokenizer=tokenizer,
            model=model,
            positive_index=pos,
            neutral_index=neutral,
        )
        # Keywords still weigh lemmas against the review corpus: reuse the trained model's IDF.
        from ml.registry import artifact_load_latest

        from .scoring import ARTIFACT_NAME

        trained = artifact_load_latest(ARTIFACT_NAME)
        if trained is not None:
            backend.keyword_idf = trained.model.keyword_idf
            backend.keyword_default_idf = trained.model.keyword_default_idf
        _loaded[path] = backend
        return backend
