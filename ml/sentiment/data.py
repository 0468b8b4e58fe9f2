"""Reading the training and evaluation corpora (NSMC, KoBEST SentiNeg) from ``SENTIMENT_DATA_DIR``.

The corpora are never copied into the project; the directory layout is the one described in
``docs/sentiment.md`` (``nsmc/ratings_{train,test}.txt``, ``kobest_sentineg/{train,dev}.tsv``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

ATTRIBUTION = (
    "Trained on the Naver Sentiment Movie Corpus v1.0 (e9t/nsmc, CC0 1.0) and KoBEST SentiNeg "
    "(SKT-LSL/KoBEST_datarepo, CC BY-SA 4.0; Jang et al. 2022, 'KoBEST: Korean Balanced Evaluation "
    "of Significant Tasks', COLING 2022). The SentiNeg-derived parts of this model are shared under "
    "CC BY-SA 4.0."
)


@dataclass(frozen=True)
class Corpus:
    name: str
    texts: list[str]
    labels: list[int]  # 1 = positive, 0 = negative


def _read(path: Path, *, text_col: str, label_col: str, name: str) -> Corpus:
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            text = (row.get(text_col) or "").strip()
            label = (row.get(label_col) or "").strip()
            if not text or label not in {"0", "1"}:
                continue  # NSMC has a few empty documents
            texts.append(text)
            labels.append(int(label))
    return Corpus(name=name, texts=texts, labels=labels)


def load_corpus(data_dir: Path, name: str) -> Corpus:
    """One split: ``nsmc_train``, ``nsmc_test``, ``sentineg_train`` or ``sentineg_dev``."""
    if name.startswith("nsmc_"):
        split = name.removeprefix("nsmc_")
        return _read(data_dir / "nsmc" / f"ratings_{split}.txt", text_col="document", label_col="label", name=name)
    split = name.removeprefix("sentineg_")
    return _read(data_dir / "kobest_sentineg" / f"{split}.tsv", text_col="Text", label_col="Label", name=name)
