"""The optional transformers backend, with a tiny (randomly initialised) BERT the test builds and
saves itself: loading from the local directory only, once per process, and the probabilities
of the served scores are the model's own softmax."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from ml.sentiment import transformers_backend as tb  # noqa: E402
from ml.sentiment.model import three_way  # noqa: E402
from ml.sentiment.scoring import analyze_texts, sentiment_backend  # noqa: E402
from ml.tests.sentiment_corpus import sentences  # noqa: E402

URL = "/api/v1/ml/sentiment/analyze"


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    rows = sentences()
    chars = sorted({ch for text, _ in rows for ch in text if not ch.isspace()})
    directory = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars)]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(directory / "vocab.txt"), do_lower_case=False)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=2,
        id2label={0: "negative", 1: "positive"},
        label2id={"negative": 0, "positive": 1},
    )
    model = BertForSequenceClassification(config)
    model.eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture
def served(settings, tiny_model_dir, monkeypatch):
    monkeypatch.setattr(tb, "_loaded", {})
    settings.SENTIMENT_MODEL_PATH = str(tiny_model_dir)
    return tiny_model_dir


def test_loads_from_the_local_directory_once(db, served):
    backend = sentiment_backend()
    assert isinstance(backend, tb.TransformersBackend)
    assert backend.version.startswith(f"transformers:{served.name}-")
    assert (backend.positive_index, backend.neutral_index) == (1, None)
    assert sentiment_backend() is backend  # once per process


def test_scores_are_the_models_softmax(db, served):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    texts = ["맛있어요 재구매 의사 있어요", "최악이에요 다시는 안 사요"]
    backend = sentiment_backend()
    results = analyze_texts(texts, backend=backend)
    tokenizer = AutoTokenizer.from_pretrained(served, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(served, local_files_only=True).eval()
    with torch.inference_mode():
        expected = torch.softmax(model(**tokenizer(texts, padding=True, return_tensors="pt")).logits, -1)[:, 1]
    for r, p in zip(results, expected.tolist(), strict=True):
        assert r["scores"] == pytest.approx(three_way(p), abs=2e-4)  # other padding in the batch
        assert sum(r["scores"].values()) == pytest.approx(1.0)


def test_api_uses_the_transformers_backend(api_client_for, served):
    response = api_client_for("MANAGER").post(URL, {"text": "배송은 느렸지만 맛은 최고예요"}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data["aspects"]) == {"delivery", "taste"}
    assert {k["word"] for k in data["keywords"]} == {"배송", "느리다", "맛", "최고"}


def test_missing_directory_is_model_not_trained(api_client_for, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(tb, "_loaded", {})
    settings.SENTIMENT_MODEL_PATH = str(tmp_path / "nothing-here")
    response = api_client_for("MANAGER").post(URL, {"text": "맛있어요"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "MODEL_NOT_TRAINED"


def test_labels_from_config():
    assert tb._positive_index({0: "NEGATIVE", 1: "NEUTRAL", 2: "POSITIVE"}) == (2, 1)
    assert tb._positive_index({0: "LABEL_0", 1: "LABEL_1"}) == (1, None)
