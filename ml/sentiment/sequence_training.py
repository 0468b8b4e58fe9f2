"""Training of the sequence members (``sequence.CNNMember``, ``sequence.GRUMember``) with torch.

The forward passes here and the numpy ones in :mod:`ml.sentiment.sequence` compute the same
function (``ml/tests/test_sentiment_sequence.py`` checks it on trained weights). Both train with
Adam (lr 1e-3 for the CNN, 2e-3 for the GRU) on the weighted log-loss in batches of 64 texts,
each batch of texts of similar length (sorted inside chunks of 50 batches, then shuffled), for a
fixed number of epochs chosen on the validation split — more on small corpora, so that a tiny
training set still gets ``seq_min_updates`` steps.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .sequence import PAD, CNNMember, GRUMember, build_vocabulary, token_ids, valid_windows

if TYPE_CHECKING:
    from .training import TrainConfig

BATCH = 64


def _batches(lengths: np.ndarray, rng: np.random.RandomState) -> list[np.ndarray]:
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), BATCH * 50):
        chunk = order[start : start + BATCH * 50]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
    rng.shuffle(batches)
    return batches


def _epochs(n: int, epochs: int, min_updates: int) -> int:
    return max(epochs, math.ceil(min_updates / math.ceil(max(n, 1) / BATCH)))


def _train_loop(net, seqs, y, w, *, epochs: int, lr: float, seed: int, after_step=None) -> None:
    import torch
    from torch import nn

    rng = np.random.RandomState(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    net.train()
    yt = torch.from_numpy(np.asarray(y, dtype=np.float32))
    wt = torch.from_numpy(np.asarray(w, dtype=np.float32))
    lengths = np.array([len(s) for s in seqs])
    for _ in range(epochs):
        for rows in _batches(lengths, rng):
            logit = net([seqs[i] for i in rows], train=True)
            idx = torch.from_numpy(rows)
            loss = nn.functional.binary_cross_entropy_with_logits(logit, yt[idx], reduction="none")
            loss = (loss * wt[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if after_step is not None:
                after_step()
    net.eval()


def _as_stored(weights: np.ndarray) -> np.ndarray:
    """Embeddings rounded to float16, as the artifact stores them."""
    return weights.astype(np.float16).astype(np.float32)


def cnn_network(vocab: dict[str, int], config: TrainConfig):
    """The torch CNN of :class:`~ml.sentiment.sequence.CNNMember`: ``net(batch, train=…)`` gives
    the decision values of a batch of token lists, ``net.export(name, source)`` the member."""
    import torch
    from torch import nn

    widths = tuple(config.cnn_widths)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(len(vocab) + 2, config.seq_dim, padding_idx=PAD)
            nn.init.normal_(self.emb.weight, 0.0, 0.1)
            self.keep_padding_zero()
            # W (k, dim, filters) per width, as served: the convolution is written out as k matrix
            # products (torch's Conv1d gave NaN weight gradients for one-position outputs here)
            self.conv_w = nn.ParameterList()
            self.conv_b = nn.ParameterList()
            for k in widths:
                bound = 1.0 / math.sqrt(k * config.seq_dim)  # Conv1d's default initialisation
                self.conv_w.append(
                    nn.Parameter(torch.empty(k, config.seq_dim, config.cnn_filters).uniform_(-bound, bound))
                )
                self.conv_b.append(nn.Parameter(torch.empty(config.cnn_filters).uniform_(-bound, bound)))
            self.out = nn.Linear(config.cnn_filters * len(widths), 1)
            self.drop = nn.Dropout(0.5)

        def keep_padding_zero(self) -> None:
            with torch.no_grad():
                self.emb.weight[PAD].zero_()

        def forward(self, batch: list[list[str]], *, train: bool = False):
            ids, lens = token_ids(vocab, batch, min_width=max(widths))
            e = self.emb(torch.from_numpy(ids))  # (B, L, dim)
            pooled = []
            for w, b, k in zip(self.conv_w, self.conv_b, widths, strict=True):
                positions = e.shape[1] - k + 1
                acc = b + sum(e[:, j : j + positions] @ w[j] for j in range(k))  # (B, P, filters)
                inside = torch.from_numpy(valid_windows(lens, positions, k))
                pooled.append(torch.relu(acc.masked_fill(~inside[:, :, None], float("-inf")).max(dim=1).values))
            h = torch.cat(pooled, 1)
            return self.out(self.drop(h) if train else h).squeeze(-1)

        def export(self, name: str, source: str) -> CNNMember:
            return CNNMember(
                name,
                source,
                vocab,
                emb=_as_stored(self.emb.weight.detach().numpy()),
                convs=[
                    (w.detach().numpy().copy(), b.detach().numpy().copy())
                    for w, b in zip(self.conv_w, self.conv_b, strict=True)
                ],
                w2=self.out.weight.detach().numpy().ravel().copy(),
                b2=float(self.out.bias.detach().numpy()[0]),
            )

    return Net()


def gru_network(vocab: dict[str, int], config: TrainConfig):
    """The torch bidirectional GRU of :class:`~ml.sentiment.sequence.GRUMember` (as ``cnn_network``)."""
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    hidden = config.gru_hidden

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(len(vocab) + 2, config.seq_dim, padding_idx=PAD)
            nn.init.normal_(self.emb.weight, 0.0, 0.1)
            self.gru = nn.GRU(config.seq_dim, hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(4 * hidden, 1)
            self.drop = nn.Dropout(0.3)

        def forward(self, batch: list[list[str]], *, train: bool = False):
            ids, lens = token_ids(vocab, batch)
            e = self.emb(torch.from_numpy(ids))
            if train:
                e = self.drop(e)
            packed = pack_padded_sequence(e, torch.from_numpy(lens), batch_first=True, enforce_sorted=False)
            o, _ = self.gru(packed)
            o, _ = pad_packed_sequence(o, batch_first=True, total_length=ids.shape[1])
            inside = torch.from_numpy(np.arange(ids.shape[1])[None, :] < lens[:, None])
            count = torch.from_numpy(lens).float()[:, None]
            pooled = []
            for d in range(2):
                od = o[:, :, d * hidden : (d + 1) * hidden]
                pooled.append(od.masked_fill(~inside[:, :, None], float("-inf")).max(1).values)
                pooled.append(od.sum(1) / count)
            h = torch.cat(pooled, 1)
            return self.out(self.drop(h) if train else h).squeeze(-1)

        def export(self, name: str, source: str) -> GRUMember:
            weights = dict(self.gru.named_parameters())
            parts = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            return GRUMember(
                name,
                source,
                vocab,
                emb=_as_stored(self.emb.weight.detach().numpy()),
                directions=[
                    tuple(weights[f"{part}_l0{suffix}"].detach().numpy().copy() for part in parts)
                    for suffix in ("", "_reverse")
                ],
                w2=self.out.weight.detach().numpy().ravel().copy(),
                b2=float(self.out.bias.detach().numpy()[0]),
            )

    return Net()


def fit_cnn(name: str, source: str, seqs: list[list[str]], y: np.ndarray, w: np.ndarray, config: TrainConfig):
    import torch

    torch.manual_seed(config.seed)
    net = cnn_network(build_vocabulary(seqs, config.seq_min_count), config)
    epochs = _epochs(len(seqs), config.cnn_epochs, config.seq_min_updates)
    _train_loop(net, seqs, y, w, epochs=epochs, lr=1e-3, seed=config.seed, after_step=net.keep_padding_zero)
    return net.export(name, source)


def fit_gru(name: str, source: str, seqs: list[list[str]], y: np.ndarray, w: np.ndarray, config: TrainConfig):
    import torch

    torch.manual_seed(config.seed)
    net = gru_network(build_vocabulary(seqs, config.seq_min_count), config)
    epochs = _epochs(len(seqs), config.gru_epochs, config.seq_min_updates)
    _train_loop(net, seqs, y, w, epochs=epochs, lr=2e-3, seed=config.seed)
    return net.export(name, source)
