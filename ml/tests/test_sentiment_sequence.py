"""The sequence members (CNN and bidirectional GRU over morphemes or syllables): the numpy forward
pass that serves them computes what the torch network trained, whatever the batch, and the
stored embeddings are float16."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from ml.sentiment.sequence import (
    BUCKET,
    MAX_TOKENS,
    UNK,
    build_vocabulary,
    sequences,
    token_ids,
    valid_windows,
)
from ml.sentiment.training import TrainConfig

torch = pytest.importorskip("torch")

from ml.sentiment.sequence_training import cnn_network, fit_cnn, fit_gru, gru_network  # noqa: E402

SEQS = [
    [],  # an empty text (Kiwi found nothing)
    ["맛/NNG"],  # shorter than every convolution window
    ["배송/NNG", "이/JKS", "빠르다/VA", "어요/EF"],
    ["완전/MAG", "거북이/NNG", "배송/NNG"],
    ["처음/NNG", "보다/VV", "는/ETM", "말/NNG"] * 9,  # 36 tokens, several unknown
    ["맛/NNG", "이/JKS", "없다/VA", "지/EC", "않다/VX", "어요/EF"],
]
VOCAB = build_vocabulary([s for s in SEQS if "처음/NNG" not in s] * 2)


def _config(**kw) -> TrainConfig:
    return TrainConfig(data_dir=".", seq_dim=8, cnn_filters=16, gru_hidden=6, **kw)


def _torch_decisions(net, seqs) -> np.ndarray:
    net.eval()
    with torch.no_grad():
        return net(seqs).numpy().astype(np.float64)


def _randomised(net):
    """Random weights everywhere (also the biases and, for the CNN, not the padding row)."""
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name != "emb.weight":
                p.normal_(0.0, 0.5)
    # the stored embeddings are float16: make the torch ones exactly representable
    with torch.no_grad():
        net.emb.weight.copy_(net.emb.weight.half().float())
    return net


def test_vocabulary_and_ids():
    vocab = build_vocabulary([["a", "b", "a"], ["a", "c", "b"], ["d"]], min_count=2)
    assert vocab == {"a": 2, "b": 3}  # most frequent first; 0 = padding, 1 = unknown
    ids, lens = token_ids(vocab, [["a", "z"], [], ["b"] * (MAX_TOKENS + 5)], min_width=3)
    assert ids.shape == (3, MAX_TOKENS)
    assert ids[0, :3].tolist() == [2, UNK, 0]
    assert ids[1].sum() == 0 and lens.tolist() == [2, 1, MAX_TOKENS]


def test_valid_windows():
    # width 3 over 5 positions: a 4-token text has windows 0 and 1; a 1-token text only window 0
    mask = valid_windows(np.array([4, 1, 7]), positions=5, width=3)
    assert mask.tolist() == [
        [True, True, False, False, False],
        [True, False, False, False, False],
        [True, True, True, True, True],
    ]


def test_sequences_by_source():
    assert sequences("morph", ["맛있어요"], ["맛있다/VA 어요/EF"]) == [["맛있다/VA", "어요/EF"]]
    assert sequences("syllable", ["총알 배송"], [""]) == [["총", "알", "▁", "배", "송"]]
    with pytest.raises(ValueError, match="unknown sequence source"):
        sequences("word", ["x"], ["x"])


@pytest.mark.parametrize("build", [cnn_network, gru_network], ids=["cnn", "gru"])
def test_numpy_forward_is_the_torch_forward(build):
    net = _randomised(build(VOCAB, _config()))
    member = net.export("m", "morph")
    expected = _torch_decisions(net, SEQS)
    # the whole batch at once, and each text alone: padding never changes a text's value
    assert np.allclose(member.decision_seqs(SEQS), expected, atol=1e-4)
    alone = np.array([member.decision_seqs([s])[0] for s in SEQS])
    assert np.allclose(alone, expected, atol=1e-4)
    assert len({round(float(v), 3) for v in expected}) == len(SEQS)  # the texts really differ


@pytest.mark.parametrize("build", [cnn_network, gru_network], ids=["cnn", "gru"])
def test_large_batches_run_in_length_buckets_in_input_order(build):
    net = _randomised(build(VOCAB, _config()))
    member = net.export("m", "morph")
    rng = np.random.RandomState(0)
    batch = [SEQS[i] for i in rng.randint(0, len(SEQS), size=3 * BUCKET + 5)]
    assert np.allclose(member.decision_seqs(batch), _torch_decisions(net, batch), atol=1e-4)


@pytest.mark.parametrize("fit", [fit_cnn, fit_gru], ids=["cnn", "gru"])
def test_fitted_member_learns_and_stores_float16_embeddings(fit):
    positive = [["맛있다/VA", "어요/EF"], ["배송/NNG", "빠르다/VA"], ["최고/NNG", "이다/VCP"]]
    negative = [["맛없다/VA", "어요/EF"], ["배송/NNG", "느리다/VA"], ["최악/NNG", "이다/VCP"]]
    seqs = (positive + negative) * 10
    y = np.array(([1] * 3 + [0] * 3) * 10)
    member = fit("m", "morph", seqs, y, np.ones(len(y)), _config(seq_min_updates=150))
    d = member.decision_seqs(positive + negative)
    assert (d[:3] > 0).all() and (d[3:] < 0).all()
    assert np.array_equal(member.emb, member.emb.astype(np.float16).astype(np.float32))
    blob = pickle.dumps(member)
    loaded = pickle.loads(blob)  # noqa: S301 - our own bytes
    assert loaded.emb.dtype == np.float32
    assert np.array_equal(loaded.decision_seqs(positive + negative), d)
    assert member.__getstate__()["emb"].dtype == np.float16
