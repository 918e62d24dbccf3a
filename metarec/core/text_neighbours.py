"""Where a new text sits among the catalog's texts: a catalog row inferred from its neighbours.

A toy described in words (:mod:`metarec.serving.text_toys`) is encoded by MiniLM and compared with
the catalog's own texts (``"<name>. <description>"``, 384-d unit vectors, cosine similarity), and
:func:`infer` proposes what a catalog row would say about it:

- the **category**: the nearest category prototype, the mean of that category's catalog unit
  vectors (Snell et al. 2017's prototypes over MiniLM vectors);
- the **skills** and the **age range**: a similarity-weighted vote over the :data:`K_NEAREST`
  nearest catalog toys (weight ``cosine ** WEIGHT_POWER``): a skill is kept when its weighted share
  is at least :data:`SKILL_SHARE` (the strongest one at the least); ``min_age_months`` and
  ``max_age_months`` are the weighted medians of the neighbours' ranges;
- **nearest**: the :data:`N_NEAREST` closest catalog toys.

Chosen by leave-one-out on the catalog (:func:`leave_one_out`: each of the 327 toys' own text
predicts its row from the other 326; :func:`choose_settings` searches :data:`LOO_GRID`):

=====================================  ==========  ==============  ===================
query                                  category    skills Jaccard  age error (months)
=====================================  ==========  ==============  ===================
the toy's name and description         **0.795**   **0.602**       **20.9**
the toy's name alone (like a parent)   0.716       0.537           23.6
category by top-k vote (best, k = 15)  0.737       --              --
=====================================  ==========  ==============  ===================

with ``k = 10``, weights ``cosine ** 4`` and skill share 0.4 (the best skills Jaccard on the grid);
the age error is the mean of the two ends' absolute errors. For scale: 14 categories of 23-25 toys
(chance 0.077); the catalog's median range for every toy is 37.0 months off. Pure numpy on the
stored vectors: no encoder is loaded here.

Reference:
    Snell, Swersky & Zemel, "Prototypical Networks for Few-shot Learning", NeurIPS 2017.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .catalog import CATEGORIES, MAX_AGE_MONTHS, SKILLS, Catalog
from .text_embedding import TextSpace

K_NEAREST = 10         # neighbours that vote on skills and ages (leave-one-out)
WEIGHT_POWER = 4       # a neighbour weighs cosine ** WEIGHT_POWER
SKILL_SHARE = 0.4      # weighted share of the neighbours a skill needs
N_NEAREST = 5          # catalog toys returned as the nearest
LOO_GRID = {"k": (5, 7, 10, 15, 20, 30), "power": (0, 1, 2, 4, 8),
            "share": (0.3, 0.35, 0.4, 0.45, 0.5)}


@dataclass(frozen=True)
class Guess:
    """A catalog row inferred for one text: every field a suggestion a person may correct."""

    category: str
    skills: tuple[str, ...]
    min_age_months: int
    max_age_months: int
    nearest: tuple[int, ...]   # catalog row indices, closest first


@dataclass(frozen=True)
class CatalogText:
    """What the inference reads of the catalog: its unit vectors and the rows' labels.

    Example:
        >>> cat = CatalogText.of(load_catalog(), load_text_space(load_catalog()))
    """

    ids: list[str]
    vectors: np.ndarray   # [n, 384]
    category: np.ndarray  # [n] int
    skills: np.ndarray    # [n, 9] float
    ages: np.ndarray      # [n, 2] float: min, max months

    @classmethod
    def of(cls, catalog: Catalog, space: TextSpace) -> "CatalogText":
        """The arrays of ``catalog`` and its :class:`~metarec.core.text_embedding.TextSpace`."""
        f = catalog.frame
        skills = np.array([[s in row.split(";") for s in SKILLS] for row in f["skills"]], float)
        return cls(catalog.ids, space.vectors.astype(np.float64),
                   f["category"].map(CATEGORIES.index).to_numpy(), skills,
                   f[["min_age_months", "max_age_months"]].to_numpy(float))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


def _infer(cat: CatalogText, q: np.ndarray, exclude: int | None = None, k: int = K_NEAREST,
           power: float = WEIGHT_POWER, share: float = SKILL_SHARE, vote: bool = False):
    """(category index, skills mask, min age, max age, nearest indices) of one 384-d vector;
    ``exclude``: a catalog row left out (leave-one-out); ``vote``: category by the top-k vote."""
    sims = cat.vectors @ q
    keep = np.ones(len(sims), bool)
    if exclude is not None:
        sims[exclude], keep[exclude] = -np.inf, False
    order = np.argsort(-sims, kind="stable")
    near = order[:k]
    w = np.maximum(sims[near], 1e-6) ** power
    if vote:
        category = int(np.bincount(cat.category[near], weights=w, minlength=len(CATEGORIES)).argmax())
    else:
        protos = np.stack([cat.vectors[keep & (cat.category == c)].sum(0)
                           for c in range(len(CATEGORIES))])
        protos /= np.linalg.norm(protos, axis=1, keepdims=True)
        category = int((protos @ q).argmax())
    shares = (w @ cat.skills[near]) / w.sum()
    skills = shares >= share
    skills[int(shares.argmax())] = True
    lo = int(round(_weighted_median(cat.ages[near, 0], w)))
    hi = int(round(_weighted_median(cat.ages[near, 1], w)))
    if hi <= lo:   # never an empty range
        lo, hi = min(lo, MAX_AGE_MONTHS - 12), min(lo, MAX_AGE_MONTHS - 12) + 12
    return category, skills, lo, hi, order[:N_NEAREST]


def infer(cat: CatalogText, vector: np.ndarray) -> Guess:
    """The catalog row a new text's 384-d vector suggests.

    Arguments:
        cat: the catalog's texts (:meth:`CatalogText.of`).
        vector: ``[384]`` unit vector of the new text (:func:`~metarec.core.text_embedding.encode`).

    Returns:
        A :class:`Guess` (category, skills, age range in months, nearest rows).

    Example:
        >>> infer(cat, encode(["a soft cuddly teddy bear"])[0]).category
        'plush'
    """
    c, skills, lo, hi, near = _infer(cat, np.asarray(vector, np.float64))
    return Guess(CATEGORIES[c], tuple(s for s, on in zip(SKILLS, skills) if on), lo, hi,
                 tuple(int(i) for i in near))


def leave_one_out(catalog: Catalog, space: TextSpace, queries: np.ndarray | None = None,
                  k: int = K_NEAREST, power: float = WEIGHT_POWER, share: float = SKILL_SHARE,
                  vote: bool = False) -> dict:
    """How well the inference recovers each catalog toy's row from the other toys.

    Arguments:
        catalog, space: the catalog and its :class:`~metarec.core.text_embedding.TextSpace`.
        queries: ``[n, 384]`` vectors to infer from (default: the toys' own catalog texts; e.g.
            their names alone); the toy itself is always left out of the neighbours and prototypes.
        k, power, share: the settings (default: the shipped ones).
        vote: category by the top-k weighted vote instead of the nearest prototype.

    Returns:
        ``{"category_accuracy", "skills_jaccard", "age_mae_months", "n"}``.

    Example:
        >>> leave_one_out(catalog, load_text_space(catalog))["category_accuracy"]
        0.795...
    """
    cat = CatalogText.of(catalog, space)
    queries = cat.vectors if queries is None else np.asarray(queries, np.float64)
    hits = jaccard = error = 0.0
    for i, q in enumerate(queries):
        c, skills, lo, hi, _ = _infer(cat, q, i, k, power, share, vote)
        truth = cat.skills[i] > 0
        hits += c == cat.category[i]
        jaccard += (truth & skills).sum() / (truth | skills).sum()
        error += (abs(lo - cat.ages[i, 0]) + abs(hi - cat.ages[i, 1])) / 2
    n = len(queries)
    return {"category_accuracy": float(hits / n), "skills_jaccard": float(jaccard / n),
            "age_mae_months": float(error / n), "n": n}


def choose_settings(catalog: Catalog, space: TextSpace, grid: dict = LOO_GRID) -> dict:
    """The leave-one-out search behind :data:`K_NEAREST`, :data:`WEIGHT_POWER` and
    :data:`SKILL_SHARE`: the best skills Jaccard, ties broken by the smaller age error (the
    category does not depend on them: it is the nearest prototype).

    Arguments:
        catalog, space: as for :func:`leave_one_out`.
        grid: the values tried for ``k``, ``power`` and ``share``.

    Returns:
        ``{"k", "power", "share", **leave_one_out(...)}`` of the best setting.

    Example:
        >>> best = choose_settings(catalog, load_text_space(catalog))   # about 20 s
        >>> (best["k"], best["power"], best["share"]) == (K_NEAREST, WEIGHT_POWER, SKILL_SHARE)
        True
    """
    best = None
    for k, power, share in itertools.product(grid["k"], grid["power"], grid["share"]):
        score = leave_one_out(catalog, space, k=k, power=power, share=share)
        key = (score["skills_jaccard"], -score["age_mae_months"])
        if best is None or key > best[0]:
            best = (key, {"k": k, "power": power, "share": share, **score})
    return best[1]
