"""``seqmodel``: item-ID + text embeddings, the user's history encoded into a user vector.

Called ``metaemb`` ("meta-learned embeddings") in results before 2026-12-02. It is trained the way a
sequential recommender is (SASRec: Kang & McAuley 2018): a history prefix predicts the next item,
pooled over all users, with no outer loop that measures a loss after a per-user adaptation. So it is
*not* counted as meta-trained (``meta_trained: false``, ``adapts: "encoder"``,
:mod:`metarec.realdata.labels`), although its encoder is the amortised adaptation of neural
processes.

Each user is a task. The support set (the user's items, oldest first) is encoded into a user vector
by a learned, recency- and content-aware attention pooling plus the most recent item (amortised
adaptation, as in neural processes / black-box meta-learning); items are scored by
``<user, item> + item_bias``. Item vectors are a learned ID embedding plus a learned projection of
the item's MiniLM text embedding, so rarely seen items still get a content-based vector.

Training is episodic: a task is (support = a prefix of a training user's history, query = the
next item), the loss a softmax over every item. Only what the protocol allows reaches training
(for S3-Rec: the history before each user's validation item). The model is a pure function of a
parameter dict, like :mod:`metarec.core.model`.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class SeqConfig:
    """``seqmodel``'s model size and training budget (the Amazon runs set ``max_epochs`` and
    ``seed`` from :class:`~metarec.realdata.settings.AmazonSettings`)."""

    dim: int = 64            # item / user vector size
    max_len: int = 50        # most recent support items the encoder reads
    dropout: float = 0.3     # on item vectors while training (the catalogue is large, users few)
    lr: float = 2e-3         # Adam step size
    weight_decay: float = 0.0
    batch: int = 256         # (user, position) episodes per step
    max_epochs: int = 20     # passes over every training episode at most
    patience: int = 2        # epochs without a better validation score before stopping
    seed: int = 0


def init_seq_params(n_items: int, text: np.ndarray, cfg: SeqConfig) -> dict[str, torch.Tensor]:
    """Fresh parameters: small random ID embeddings (plus a zero padding row), a random text
    projection, and an attention / user map that starts close to "last item + mean item"."""
    g = torch.Generator().manual_seed(cfg.seed)
    d, t = cfg.dim, text.shape[1]
    emb = torch.randn(n_items + 1, d, generator=g) * 0.05
    emb[n_items] = 0.0
    return {"item_emb": emb,
            "text_proj": torch.randn(t, d, generator=g) / math.sqrt(t),
            "item_bias": torch.zeros(n_items),
            "pos_bias": torch.zeros(cfg.max_len),
            "att_q": torch.eye(d) + 0.01 * torch.randn(d, d, generator=g),
            "user_w": torch.cat([torch.eye(d), torch.eye(d)], 0) * 0.5,
            "user_b": torch.zeros(d)}


def item_vectors(p: dict, text: torch.Tensor) -> torch.Tensor:
    """``[n_items + 1, d]`` (the last row is padding and stays zero)."""
    t = torch.cat([text @ p["text_proj"], torch.zeros(1, p["text_proj"].shape[1])], 0)
    return p["item_emb"] + t * (torch.arange(t.shape[0]) < t.shape[0] - 1).float()[:, None]


def user_vectors(p: dict, items_vec: torch.Tensor, hist: torch.Tensor, dropout: float = 0.0,
                 training: bool = False) -> torch.Tensor:
    """``[B, d]`` from left-padded support items ``hist`` ``[B, L]`` (padding = ``n_items``)."""
    pad = items_vec.shape[0] - 1
    mask = (hist != pad).float()
    eh = items_vec[hist]
    if training and dropout:
        eh = F.dropout(eh, dropout, training=True)
    last = eh[:, -1]
    d = eh.shape[-1]
    att = p["pos_bias"][-hist.shape[1]:] + (eh @ p["att_q"] * last[:, None, :]).sum(-1) / math.sqrt(d)
    att = att.masked_fill(mask == 0, float("-inf"))
    pooled = (torch.softmax(att, -1)[..., None] * eh).sum(1)
    return torch.cat([last, pooled], -1) @ p["user_w"] + p["user_b"]


def pad_left(seqs: list[np.ndarray], max_len: int, pad: int) -> torch.Tensor:
    """``[B, max_len]`` the last ``max_len`` items of each sequence, right-aligned, padded with ``pad``."""
    out = np.full((len(seqs), max_len), pad, np.int64)
    for j, s in enumerate(seqs):
        s = s[-max_len:]
        if len(s):
            out[j, -len(s):] = s
    return torch.from_numpy(out)


class SeqModel:
    """Learner interface over a trained parameter dict: ``adapt(support) -> user vector``."""

    name, title = "seqmodel", "ID+text embeddings, history encoded (not meta-trained)"
    paper = "this project (amortised meta-learning; cf. Garnelo et al. 2018, Kang & McAuley 2018)"

    def __init__(self, params: dict, text: torch.Tensor, cfg: SeqConfig):
        self.p, self.text, self.cfg = params, text, cfg
        with torch.no_grad():
            self.vecs = item_vectors(params, text)
        self.n_items = self.vecs.shape[0] - 1

    def user_batch(self, supports: list[np.ndarray]) -> torch.Tensor:
        with torch.no_grad():
            return user_vectors(self.p, self.vecs, pad_left(supports, self.cfg.max_len, self.n_items))

    def score_batch(self, supports: list[np.ndarray], candidates: torch.Tensor | None) -> torch.Tensor:
        """``[B, C]`` scores of ``candidates`` ``[B, C]`` (all items when None: ``[B, n_items]``)."""
        u = self.user_batch(supports)
        with torch.no_grad():
            if candidates is None:
                return u @ self.vecs[:-1].T + self.p["item_bias"]
            return (u[:, None, :] * self.vecs[candidates]).sum(-1) + self.p["item_bias"][candidates]


def training_pairs(train_seqs: list[np.ndarray]) -> list[tuple[int, int]]:
    """(user, t) for every position ``t >= 1``: support = seq[:t], query = seq[t]."""
    return [(u, t) for u, s in enumerate(train_seqs) for t in range(1, len(s))]


def train_seqmodel(train_seqs: list[np.ndarray], n_items: int, text: np.ndarray, validate,
                  cfg: SeqConfig, log=None) -> tuple[SeqModel, dict]:
    """Train ``seqmodel`` episodically, with early stopping on validation items.

    Every epoch visits each (support = a training prefix, query = the next item) episode once; the
    loss is a softmax over every item.

    Arguments:
        train_seqs: per user, the items training may see (oldest first).
        n_items: catalogue size.
        text: ``[n_items, t]`` item text features (the PCA-reduced MiniLM embeddings).
        validate: ``validate(learner) -> float`` on validation items only, higher is better.
        cfg: model size and budget.
        log: receives a line per epoch.

    Returns:
        (the best :class:`SeqModel` on validation, a log: ``epochs``, ``best_epoch``, ``best_val``).

    References:
        Garnelo et al., "Conditional Neural Processes", ICML 2018 (amortised adaptation); Kang &
        McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018 (next-item training).
    """
    torch.manual_seed(cfg.seed)
    text_t = torch.from_numpy(text.astype(np.float32))
    params = {k: v.requires_grad_(True) for k, v in init_seq_params(n_items, text, cfg).items()}
    opt = torch.optim.Adam(params.values(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    pairs = np.array(training_pairs(train_seqs), np.int64).reshape(-1, 2)
    rng = np.random.default_rng(cfg.seed)
    best = (-1.0, 0, None)
    history = []
    t0 = time.perf_counter()
    for epoch in range(1, cfg.max_epochs + 1):
        order = rng.permutation(len(pairs))
        total = 0.0
        for start in range(0, len(order), cfg.batch):
            b = pairs[order[start:start + cfg.batch]]
            hist = pad_left([train_seqs[u][:t] for u, t in b], cfg.max_len, n_items)
            target = torch.from_numpy(np.array([train_seqs[u][t] for u, t in b]))
            vecs = item_vectors(params, text_t)
            vecs_in = F.dropout(vecs, cfg.dropout, training=True) if cfg.dropout else vecs
            u = user_vectors(params, vecs_in, hist)
            loss = F.cross_entropy(u @ vecs[:-1].T + params["item_bias"], target)
            opt.zero_grad()
            loss.backward()
            with torch.no_grad():
                params["item_emb"].grad[n_items] = 0.0
            opt.step()
            total += loss.item() * len(b)
        snap = {k: v.detach().clone() for k, v in params.items()}
        val = validate(SeqModel(snap, text_t, cfg))
        history.append({"epoch": epoch, "loss": round(total / max(len(pairs), 1), 4),
                        "val": round(val, 4), "seconds": round(time.perf_counter() - t0, 1)})
        if log:
            log(f"seqmodel epoch {epoch}: loss {history[-1]['loss']:.4f} val {val:.4f}")
        if val > best[0]:
            best = (val, epoch, snap)
        elif epoch - best[1] >= cfg.patience:
            break
    return SeqModel(best[2], text_t, cfg), {"epochs": history, "best_epoch": best[1],
                                           "best_val": round(best[0], 4)}
