"""Classical collaborative baselines on interaction data: item-kNN, EASE, a Markov chain.

Each is fitted only on the sequences a protocol lets training see and is a batched scorer
``score(supports, candidates) -> [B, C]`` (:mod:`metarec.realdata.ranking`); its settings are
chosen from :data:`GRIDS` on the protocol's validation items (:func:`choose`), never on test.

- :class:`ItemKNN`: item-based collaborative filtering (Sarwar, Karypis, Konstan & Riedl, WWW 2001;
  Deshpande & Karypis, TOIS 2004): cosine of the items' binary co-occurrence columns with
  shrinkage, ``sim(i, j) = c_ij / (sqrt(c_i c_j) + shrink)``; each item keeps its ``k`` most
  similar neighbours; a user's score for ``j`` sums ``sim(i, j)`` over the support items.
- :class:`EASE`: the embarrassingly shallow autoencoder (Steck, WWW 2019), closed form
  ``P = (X^T X + lam I)^-1``, ``B = I - P diag(1 / diag P)`` with a zero diagonal; score = ``x_u B``.
- :class:`MarkovChain`: a first-order chain on the last item (the MC part of FPMC, Rendle,
  Freudenthaler & Schmidt-Thieme, WWW 2010): ``T[last, j] + gamma T[j, last] + beta pop(j)``,
  ``T`` counting consecutive pairs, ``pop`` the training popularity scaled to at most 1.

kNN and EASE add ``1e-6 pop`` so that an all-zero row ranks by popularity, not by item id (it can
only help them). The grids were set in a research spike on the validation items (see
``docs/results-real.md``).
"""
from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp
import torch

TIE = 1e-6
GRIDS = {
    "item-knn": {"k": (50, 100, 300, 0), "shrink": (0.0, 10.0, 50.0, 100.0, 200.0)},   # k = 0: all
    "ease": {"lam": (100.0, 300.0, 1000.0)},         # one Cholesky inverse of 11,924^2 each
    "markov": {"beta": (1e-4, 0.03, 0.3, 3.0), "gamma": (0.0, 0.25, 0.5, 1.0)},
}


def user_item_matrix(seqs, n_items: int) -> sp.csr_matrix:
    """Binary ``[n_users, n_items]`` (an item bought twice counts once)."""
    seqs = [np.asarray(s, np.int64) for s in seqs]
    rows = np.concatenate([np.full(len(s), u) for u, s in enumerate(seqs)]) if seqs else np.zeros(0, int)
    cols = np.concatenate(seqs) if seqs else np.zeros(0, int)
    x = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(seqs), n_items))
    x.sum_duplicates()
    x.data = np.minimum(x.data, 1.0)
    return x


def popularity(seqs, n_items: int) -> torch.Tensor:
    """Training counts scaled to at most 1."""
    c = np.bincount(np.concatenate(seqs), minlength=n_items).astype(np.float32)
    return torch.from_numpy(c / max(c.max(), 1.0))


def _select(full: torch.Tensor, candidates) -> torch.Tensor:
    return full if candidates is None else torch.gather(full, 1, candidates)


class ItemKNN:
    """Item-kNN on co-occurrence (see the module docstring); :meth:`set` re-derives the
    neighbourhoods for new settings from the kept counts."""

    def __init__(self, seqs, n_items: int, k: int = 100, shrink: float = 0.0):
        x = user_item_matrix(seqs, n_items)
        self.n_items, self.pop = n_items, popularity(seqs, n_items)
        self.co = (x.T @ x).tocoo()
        self.cnt = np.asarray(x.sum(0)).ravel().astype(np.float32)
        self.set(k, shrink)

    def set(self, k: int, shrink: float) -> "ItemKNN":
        self.settings = {"k": k, "shrink": shrink}
        co = self.co
        keep = co.row != co.col
        r, c = co.row[keep], co.col[keep]
        v = co.data[keep] / (np.sqrt(self.cnt[r] * self.cnt[c]) + shrink)
        s = sp.csr_matrix((v, (r, c)), shape=co.shape)
        if k:   # row i keeps the k largest similarities of item i
            mask = np.zeros(len(s.data), bool)
            for i in range(s.shape[0]):
                a, b = s.indptr[i], s.indptr[i + 1]
                mask[a:b] = True if b - a <= k else np.isin(np.arange(b - a), np.argpartition(-s.data[a:b], k)[:k])
            s = sp.csr_matrix((np.where(mask, s.data, 0.0), s.indices, s.indptr), shape=s.shape)
            s.eliminate_zeros()
        self.sim = s
        return self

    def __call__(self, supports, candidates=None) -> torch.Tensor:
        xs = user_item_matrix(supports, self.n_items)
        return _select(torch.from_numpy((xs @ self.sim).toarray()) + TIE * self.pop, candidates)


class EASE:
    """EASE (Steck, WWW 2019), float32; see the module docstring."""

    def __init__(self, seqs, n_items: int, lam: float = 300.0):
        x = user_item_matrix(seqs, n_items)
        self.n_items, self.pop = n_items, popularity(seqs, n_items)
        self.gram = torch.from_numpy((x.T @ x).toarray().astype(np.float32))
        self.set(lam)

    def set(self, lam: float) -> "EASE":
        self.settings = {"lam": lam}
        g = self.gram.clone()
        g.diagonal().add_(lam)
        p = torch.cholesky_inverse(torch.linalg.cholesky(g))
        del g
        b = p / (-torch.diagonal(p))[None, :]
        b.diagonal().zero_()
        self.b = b
        return self

    def __call__(self, supports, candidates=None) -> torch.Tensor:
        xs = torch.from_numpy(user_item_matrix(supports, self.n_items).toarray())
        return _select(xs @ self.b + TIE * self.pop, candidates)


class MarkovChain:
    """Last-item Markov chain with reversed transitions and a popularity prior (module docstring)."""

    def __init__(self, seqs, n_items: int, beta: float = 1e-3, gamma: float = 0.0):
        pairs = [s for s in seqs if len(s) > 1]
        src = np.concatenate([s[:-1] for s in pairs]) if pairs else np.zeros(0, int)
        dst = np.concatenate([s[1:] for s in pairs]) if pairs else np.zeros(0, int)
        self.t = sp.csr_matrix((np.ones(len(src), np.float32), (src, dst)), shape=(n_items, n_items))
        self.t.sum_duplicates()
        self.tt = self.t.T.tocsr()
        self.pop = popularity(seqs, n_items)
        self.set(beta, gamma)

    def set(self, beta: float, gamma: float) -> "MarkovChain":
        self.settings = {"beta": beta, "gamma": gamma}
        return self

    def __call__(self, supports, candidates=None) -> torch.Tensor:
        last = np.array([int(s[-1]) if len(s) else 0 for s in supports])
        m = self.t[last].toarray()
        if self.settings["gamma"]:
            m = m + self.settings["gamma"] * self.tt[last].toarray()
        return _select(torch.from_numpy(m.astype(np.float32)) + self.settings["beta"] * self.pop, candidates)


CLASSES = {"item-knn": ItemKNN, "ease": EASE, "markov": MarkovChain}


def choose(name: str, seqs, n_items: int, validate, grid: dict | None = None, log=None):
    """Fit ``name`` on ``seqs`` once, try every setting of its grid, keep the best on ``validate``.

    Arguments:
        name: a key of :data:`CLASSES`.
        seqs: the training sequences the protocol allows.
        n_items: catalogue size.
        validate: ``scorer -> float`` on validation data only (higher is better).
        grid: ``{setting: values}``; default :data:`GRIDS` ``[name]``.
        log: receives one line per setting.

    Returns:
        (the model set to its best setting, ``{"settings", "val", "trace"}``).
    """
    grid = grid or GRIDS[name]
    combos = [dict(zip(grid, c)) for c in itertools.product(*grid.values())]
    model = CLASSES[name](seqs, n_items, **combos[0])
    trace = []
    for settings in combos:
        if settings != model.settings:
            model.set(**settings)
        trace.append({**settings, "val": round(validate(model), 5)})
        if log:
            log(f"{name} {settings}: val {trace[-1]['val']:.4f}")
    best = max(trace, key=lambda r: r["val"])
    settings = {k: best[k] for k in grid}
    if settings != model.settings:
        model.set(**settings)
    return model, {"settings": settings, "val": best["val"], "trace": trace}
