"""Sequence members of the sentiment model: networks that read a review as a sequence of tokens
(Kiwi morphemes or syllables) with learned embeddings, unlike the bag-of-n-gram members. Trained
with torch (``training.fit_cnn`` / ``training.fit_gru``), served here with numpy, so production
needs no torch.

- :class:`CNNMember`: convolutions of widths 2–5 over the embeddings, each masked to the
  windows inside the text, max-pooled over time, ReLU, one linear output (Kim 2014).
- :class:`GRUMember`: a bidirectional GRU; each direction's outputs max- and mean-pooled over
  the text, one linear output.

Both take the text's tokens (:func:`sequences`) instead of a TF-IDF view; ``SentimentModel``
passes them. Embeddings are stored as float16 and served as float32 (rounded before the stacker
was fitted, so the stored model is exactly the one measured).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

PAD, UNK = 0, 1
MAX_TOKENS = 400  # longer texts are read up to here (the training texts have at most ~150)


def sequences(source: str, texts: list[str], morphs: list[str]) -> list[list[str]]:
    """The token sequence of each (normalised) text: Kiwi ``form/TAG`` items, or syllables with
    the spaces kept as ``▁``."""
    if source == "morph":
        return [m.split() for m in morphs]
    if source == "syllable":
        return [list(t.replace(" ", "▁")) for t in texts]
    raise ValueError(f"unknown sequence source: {source}")


def build_vocabulary(seqs: Iterable[list[str]], min_count: int = 2) -> dict[str, int]:
    """Token → index for the tokens seen at least ``min_count`` times, most frequent first; 0 is
    padding and 1 every other token."""
    counts = Counter(token for seq in seqs for token in seq)
    frequent = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return {token: idx for idx, token in enumerate(frequent, start=2)}


def token_ids(vocab: dict[str, int], seqs: list[list[str]], *, min_width: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(ids padded to the longest sequence — at least ``min_width`` — and the lengths, at least 1)."""
    lens = np.array([max(1, min(len(s), MAX_TOKENS)) for s in seqs], dtype=np.int64)
    ids = np.zeros((len(seqs), max(int(lens.max(initial=1)), min_width)), dtype=np.int64)
    for row, seq in enumerate(seqs):
        toks = seq[:MAX_TOKENS]
        if toks:
            ids[row, : len(toks)] = [vocab.get(t, UNK) for t in toks]
    return ids, lens


def valid_windows(lens: np.ndarray, positions: int, width: int) -> np.ndarray:
    """(texts, positions) mask of the convolution windows that lie inside each text; the first
    window always counts, so a text shorter than the window still gives one (padded) window."""
    pos = np.arange(positions)[None, :]
    return (pos == 0) | (pos + width <= lens[:, None])


BUCKET = 32  # texts per forward pass, of similar length (little padding)


class _Embedded:
    """float16 embeddings in the pickle, float32 in memory; a batch is run in buckets of texts of
    similar length, so one long text does not pad a hundred short ones."""

    emb: np.ndarray

    def decision_seqs(self, seqs: list[list[str]]) -> np.ndarray:
        if len(seqs) <= BUCKET:
            return self._forward(seqs)
        order = np.argsort([len(s) for s in seqs], kind="stable")
        out = np.empty(len(seqs), dtype=np.float64)
        for start in range(0, len(order), BUCKET):
            rows = order[start : start + BUCKET]
            out[rows] = self._forward([seqs[i] for i in rows])
        return out

    def _forward(self, seqs: list[list[str]]) -> np.ndarray:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        return {**self.__dict__, "emb": self.emb.astype(np.float16)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({**state, "emb": np.asarray(state["emb"], dtype=np.float32)})


@dataclass
class CNNMember(_Embedded):
    name: str
    source: str
    vocab: dict[str, int]
    emb: np.ndarray  # (vocabulary + 2, dim), row 0 (padding) zero
    convs: list[tuple[np.ndarray, np.ndarray]]  # per width k: W (k, dim, filters), b (filters,)
    w2: np.ndarray  # (filters · widths,)
    b2: float
    views: tuple[str, ...] = ()

    def _forward(self, seqs: list[list[str]]) -> np.ndarray:
        width = max(w.shape[0] for w, _ in self.convs)
        ids, lens = token_ids(self.vocab, seqs, min_width=width)
        e = self.emb[ids]  # (B, L, dim)
        pooled = []
        for w, b in self.convs:
            k = w.shape[0]
            positions = e.shape[1] - k + 1
            acc = np.broadcast_to(b, (e.shape[0], positions, b.shape[0])).astype(np.float32)
            for j in range(k):
                acc += e[:, j : j + positions] @ w[j]
            acc[~valid_windows(lens, positions, k)] = -np.inf
            pooled.append(np.maximum(acc.max(axis=1), 0.0))
        return np.concatenate(pooled, axis=1) @ self.w2 + self.b2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class GRUMember(_Embedded):
    name: str
    source: str
    vocab: dict[str, int]
    emb: np.ndarray
    directions: list[
        tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    ]  # (W_ih, W_hh, b_ih, b_hh) ×2, torch's layout
    w2: np.ndarray  # (4 · hidden,): [max, mean] of forward, then of backward
    b2: float
    views: tuple[str, ...] = ()

    def _forward(self, seqs: list[list[str]]) -> np.ndarray:
        ids, lens = token_ids(self.vocab, seqs)
        e = self.emb[ids]
        batch, length, _ = e.shape
        inside = np.arange(length)[None, :] < lens[:, None]
        pooled = []
        for direction, (w_ih, w_hh, b_ih, b_hh) in enumerate(self.directions):
            hidden = w_hh.shape[1]
            gi = e @ w_ih.T + b_ih  # (B, L, 3H): reset, update, new
            h = np.zeros((batch, hidden), dtype=np.float32)
            outs = np.zeros((batch, length, hidden), dtype=np.float32)
            for t in range(length) if direction == 0 else range(length - 1, -1, -1):
                gh = h @ w_hh.T + b_hh
                r = _sigmoid(gi[:, t, :hidden] + gh[:, :hidden])
                z = _sigmoid(gi[:, t, hidden : 2 * hidden] + gh[:, hidden : 2 * hidden])
                n = np.tanh(gi[:, t, 2 * hidden :] + r * gh[:, 2 * hidden :])
                step = inside[:, t, None]
                new = (1.0 - z) * n + z * h
                h = np.where(step, new, h)  # a padded step keeps the state (as a packed sequence)
                outs[:, t] = np.where(step, new, 0.0)
            pooled.append(np.where(inside[:, :, None], outs, -np.inf).max(axis=1))
            pooled.append(outs.sum(axis=1) / lens[:, None].astype(np.float32))
        return np.concatenate(pooled, axis=1) @ self.w2 + self.b2
