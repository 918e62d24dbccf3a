"""A 2-D map of the learned toy embeddings, with prototypes (for the embeddings page).

Toy vectors come from the prototypical network's meta-learned encoder (Snell et al., 2017): the
space in which a family's *prototype*, the mean embedding of its liked toys, is compared with every
toy. PCA projects new points (prototypes) exactly; t-SNE (van der Maaten & Hinton, 2008) cannot,
so with t-SNE a prototype is drawn at the mean 2-D position of its toys (an approximation, said on
the page).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.catalog import CATEGORIES
from ..serving.engine import Engine

PROJECTIONS = ("pca", "tsne")


@dataclass(frozen=True)
class ToyMap:
    xy: np.ndarray            # [n_toys, 2]
    embeddings: np.ndarray    # [n_toys, d]
    projection: str
    mean: np.ndarray          # PCA centre and axes (PCA only)
    axes: np.ndarray | None

    def place(self, vectors: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
        """2-D positions of prototype ``vectors``; ``members`` are the toy indices behind each."""
        if self.axes is not None:
            return (np.atleast_2d(vectors) - self.mean) @ self.axes.T
        return np.stack([self.xy[m].mean(0) for m in members])


def toy_embeddings(engine: Engine) -> np.ndarray:
    learner = engine.learners.get("protonet")
    if learner is None:
        raise KeyError("the checkpoint has no prototypical network; retrain with `python -m metarec train`")
    return learner.embeddings().cpu().numpy()


def toy_map(engine: Engine, projection: str = "pca", seed: int = 0) -> ToyMap:
    """Project every toy's embedding to 2-D (deterministic for a seed)."""
    emb = toy_embeddings(engine)
    mean = emb.mean(0)
    if projection == "pca":
        _, _, vt = np.linalg.svd(emb - mean, full_matrices=False)
        axes = vt[:2] * np.sign(vt[:2, :1] + 1e-12)
        return ToyMap((emb - mean) @ axes.T, emb, projection, mean, axes)
    if projection == "tsne":
        from sklearn.manifold import TSNE  # imported only when asked for
        xy = TSNE(n_components=2, perplexity=30, init="pca", random_state=seed).fit_transform(emb)
        return ToyMap(xy, emb, projection, mean, None)
    raise ValueError(f"unknown projection {projection!r}; choose one of {PROJECTIONS}")


def category_prototypes(engine: Engine, tmap: ToyMap) -> tuple[list[str], np.ndarray]:
    """(category slugs, their 2-D prototype positions): mean embedding of each category's toys."""
    cats = engine.feats.category.cpu().numpy()
    present = [c for c in range(len(CATEGORIES)) if (cats == c).any()]
    members = [np.flatnonzero(cats == c) for c in present]
    vectors = np.stack([tmap.embeddings[m].mean(0) for m in members])
    return [CATEGORIES[c] for c in present], tmap.place(vectors, members)


def child_prototype(tmap: ToyMap, liked: list[int]) -> np.ndarray | None:
    """The 2-D position of a family's prototype (mean embedding of its liked toys)."""
    if not liked:
        return None
    idx = np.asarray(liked)
    return tmap.place(tmap.embeddings[idx].mean(0), [idx])[0]


# Age bands by the middle of a toy's suitable range, in months: (name, from, up to but not incl.)
AGE_BANDS = (("baby", 0, 24), ("small", 24, 60), ("school", 60, 96), ("older", 96, 10_000))
GROUPINGS = ("category", "age")


def toy_groups(catalog, by: str = "category") -> list[tuple[str, np.ndarray]]:
    """The toys in colour groups for the map: ``[(group, toy indices)]``, empty groups left out.

    Arguments:
        catalog: the :class:`~metarec.core.catalog.Catalog`.
        by: ``"category"`` (groups named by category slug, in :data:`CATEGORIES` order) or
            ``"age"`` (by the middle of each toy's age range, named as in :data:`AGE_BANDS`).

    Example:
        >>> [name for name, _ in toy_groups(engine.catalog, "age")]
        ['baby', 'small', 'school', 'older']
    """
    f = catalog.frame
    if by == "category":
        cats = f["category"].to_numpy()
        groups = [(c, np.flatnonzero(cats == c)) for c in CATEGORIES]
    elif by == "age":
        middle = (f["min_age_months"].to_numpy() + f["max_age_months"].to_numpy()) / 2
        groups = [(name, np.flatnonzero((middle >= lo) & (middle < hi))) for name, lo, hi in AGE_BANDS]
    else:
        raise ValueError(f"unknown grouping {by!r}; choose one of {GROUPINGS}")
    return [(name, members) for name, members in groups if len(members)]
