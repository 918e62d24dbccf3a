"""Watching a learner adapt: the inner loop step by step, for the adaptation page and teachers.

For one family's support set, :func:`adaptation_steps` runs the inner loop one SGD step at a time
from three starting points: the meta-learned initialisation (MAML, Finn et al., 2017), the same
network pretrained without meta-learning, and a random initialisation. After every step it records
the support loss, the top-10 list, the adapted model's taste per category and, for a simulated
family whose liked toys are known, nDCG@10 and Recall@10 on the family's held-out liked toys (its
query set). :func:`family_setup` and :func:`parents_setup` build what it adapts to;
:func:`taste_reveal` compares the taste before and after with the simulated family's hidden one.
The averaged views (every learner against the number of shots, the inner loop over many families)
are computed once per checkpoint: :mod:`metarec.teaching.precompute`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from ..core.catalog import CATEGORIES
from ..core.episodes import Support, make_support
from ..core.metrics import ndcg_at_k, recall_at_k
from ..core.model import init_params
from ..learners import GRADIENT_METHODS
from ..learners.gradient import GradientLearner
from ..serving.engine import Engine
from ..world import Family
from .demo import demo_family

STARTS = ("maml", "fomaml", "finetune", "random")  # where the inner loop may start from
SHOT_OPTIONS = (1, 2, 3, 5, 10)   # shots the page offers, and the shots curve's x axis
N_TOP_CATEGORIES = 3              # the model's favourite categories compared with the family's

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setup:
    """One family to adapt to, as :func:`adaptation_steps` wants it.

    ``kind`` is ``"sim"`` (a simulated test family: its hidden taste and liked toys are known) or
    ``"parents"`` (toys a parent picked: only the support loss can be shown). ``key`` is equal for
    equal setups (a page reruns the steps only when it changes).
    """

    kind: str                     # "sim" or "parents"
    age_months: float
    liked: tuple[int, ...]        # catalog row indices the family named
    disliked: tuple[int, ...]
    support: Support
    candidates: np.ndarray        # suitable toys the family did not name
    relevant: np.ndarray | None   # its hidden liked toys among them (simulated family only)
    family: Family | None         # the simulated family (hidden taste), else None
    key: tuple


def family_setup(engine: Engine, index: int, shots: int) -> Setup:
    """A demo family (:func:`metarec.teaching.demo.demo_family`) telling ``shots`` of its liked
    toys and ``shots // 2`` disliked ones, on its nested episode.

    Arguments:
        engine: the loaded engine (its world's test families and catalog).
        index: the place in the demo list (0: the default family of every page).
        shots: liked toys told (at most 10).

    Returns:
        A :class:`Setup` whose query set is the family's held-out liked toys and every other
        suitable toy it did not name (the same query whatever ``shots`` is).

    Example:
        >>> setup = family_setup(engine, 0, shots=3)
        >>> records = list(adaptation_steps(engine, "maml", setup.support, setup.candidates,
        ...                                 setup.relevant, steps=5))
    """
    demo = demo_family(engine, index, shots=shots)
    ep, family = demo.episode, demo.family
    liked = tuple(int(i) for i in ep.support.liked)
    disliked = tuple(int(i) for i in ep.support.disliked)
    return Setup("sim", float(family.age_months), liked, disliked, ep.support, ep.candidates,
                 ep.relevant, family, ("sim", int(family.id), index, shots))


def parents_setup(engine: Engine, age_months: float, liked: list[str],
                  disliked: list[str] = ()) -> Setup | None:
    """The family a parent entered: an age in months and toy ids (unknown ids are skipped).

    Returns:
        A :class:`Setup` without a query set (its taste is unknown), or None when no liked toy is
        in the catalog or a toy is both liked and disliked.
    """
    index = engine.catalog.index
    liked_rows = tuple(dict.fromkeys(index[toy] for toy in liked if toy in index))
    disliked_rows = tuple(dict.fromkeys(index[toy] for toy in disliked if toy in index))
    if not liked_rows or set(liked_rows) & set(disliked_rows):
        return None
    age = float(age_months)
    eligible = engine.catalog.eligible(age)
    candidates = np.setdiff1d(eligible, np.array(liked_rows + disliked_rows, dtype=np.int64))
    support = make_support(age, liked_rows, disliked_rows, eligible)
    return Setup("parents", age, liked_rows, disliked_rows, support, candidates, None, None,
                 ("parents", age, liked_rows, disliked_rows))


def trained_settings(engine: Engine) -> tuple[int, float]:
    """``(inner steps, step size)`` the meta-learned start was trained with (MAML's, else the
    fine-tuned network's; 5 and 0.5 when neither is in the checkpoint)."""
    learner = engine.learners.get("maml") or engine.learners.get("finetune")
    return int(getattr(learner, "steps", 5)), float(getattr(learner, "lr", 0.5))


def available_starts(engine: Engine, order: str = "maml") -> list[str]:
    """The starting points this checkpoint offers, meta-learned first.

    Arguments:
        order: ``"maml"`` (second-order) or ``"fomaml"`` (first-order) for the meta-learned start;
            MAML when the checkpoint lacks it.

    Returns:
        Some of ``[order, "finetune", "random"]`` (random weights need MAML's network shape).
    """
    have = engine.learners
    starts = [order if order in have else "maml", "finetune", "random"]
    return [s for s in starts if s in have or (s == "random" and "maml" in have)]


@dataclass(frozen=True)
class StepRecord:
    start: str                   # "maml", "fomaml", "finetune" or "random"
    step: int                    # 0 = before adapting
    support_loss: float
    top: list[int]               # top-10 toy indices after this step
    ndcg: float | None = None    # on the query set, when the family's likes are known
    recall: float | None = None
    # the adapted model's taste per category after this step (category_affinity)
    affinity: np.ndarray | None = field(default=None, compare=False, repr=False)


def starting_learner(engine: Engine, start: str) -> GradientLearner:
    """The gradient learner whose initial parameters the inner loop starts from."""
    if start == "random":
        base = engine.learners["maml"]
        params = init_params(engine.model_config, seed=12345)
        return GradientLearner(GRADIENT_METHODS["maml"], params, engine.feats, base.steps, base.lr)
    if start not in STARTS:
        raise KeyError(f"unknown starting point {start!r}; choose one of {STARTS}")
    return engine.learners[start]


def adaptation_steps(engine: Engine, start: str, support, candidates: np.ndarray,
                     relevant: np.ndarray | None = None, steps: int = 10,
                     lr: float | None = None, k: int = 10) -> Iterator[StepRecord]:
    """Yield a :class:`StepRecord` before adapting and after each inner step (lazily: live).

    Arguments:
        engine: the loaded engine (never mutated: the steps run on a copy of the parameters).
        start: one of :data:`STARTS`.
        support: the family's support set (:attr:`Setup.support`).
        candidates: the toys ranked after every step.
        relevant: the family's hidden liked toys among them, to score each step; None to skip.
        steps: inner SGD steps after the starting point (``steps + 1`` records).
        lr: the inner step size; None for the learner's own (per parameter for Meta-SGD).
        k: the length of the ranked list.

    Each record also carries the adapted model's taste per category (``affinity``, see
    :func:`category_affinity`), so :func:`taste_reveal` needs no second run of the steps.
    """
    learner = starting_learner(engine, start)
    cand = torch.from_numpy(np.asarray(candidates, dtype=np.int64))
    rel = set(relevant.tolist()) if relevant is not None else None
    for step, state in enumerate(learner.step_through(support, steps, lr)):
        scores = learner.score(state, cand).cpu()
        top = cand[torch.topk(scores, min(k, len(cand))).indices].tolist()
        yield StepRecord(start, step, state.support_loss, top,
                         ndcg_at_k(top, rel, k) if rel is not None else None,
                         recall_at_k(top, rel, k) if rel is not None else None,
                         category_affinity(engine, learner, state, support.age_months))


def rank_paths(records: list[StepRecord], k: int = 10) -> dict[int, list[int]]:
    """Each toy's place (1 = top) after every step, for the toys in the first or last top list.

    A toy outside a step's top ``k`` gets place ``k + 1`` ("below the list").

    Example:
        >>> rank_paths([StepRecord("maml", 0, 0.7, [4, 2]), StepRecord("maml", 1, 0.6, [2, 9])], k=2)
        {4: [1, 3], 2: [2, 1], 9: [3, 2]}
    """
    toys = list(dict.fromkeys(records[0].top + records[-1].top))
    return {toy: [r.top.index(toy) + 1 if toy in r.top[:k] else k + 1 for r in records]
            for toy in toys}


def rank_changes(before: list[int], after: list[int]) -> dict[int, int | None]:
    """For every toy in ``after``: places it rose (positive) since ``before``; None if new."""
    pos = {toy: i for i, toy in enumerate(before)}
    return {toy: (pos[toy] - i if toy in pos else None) for i, toy in enumerate(after)}


def category_affinity(engine: Engine, learner, state, age_months: float) -> np.ndarray:
    """The adapted model's preference per category: mean score of the suitable toys in it,
    standardised over categories (NaN where no toy of the category suits the age)."""
    eligible = engine.catalog.eligible(age_months)
    scores = learner.score(state, torch.from_numpy(eligible)).cpu().numpy()
    cats = engine.feats.category.cpu().numpy()[eligible]
    out = np.full(len(CATEGORIES), np.nan)
    for c in range(len(CATEGORIES)):
        if (cats == c).any():
            out[c] = scores[cats == c].mean()
    return _standardise(out)


def true_affinity(family, catalog) -> np.ndarray:
    """A simulated family's hidden category taste, standardised over the categories it can see."""
    seen = np.isin(np.arange(len(CATEGORIES)),
                   catalog.frame["category"].map(CATEGORIES.index).to_numpy()[family.eligible])
    return _standardise(np.where(seen, family.category_taste, np.nan))


@dataclass(frozen=True)
class TasteReveal:
    """A simulated family's hidden taste beside the model's, before and after adapting.

    Arrays are per category (indices into :data:`metarec.core.catalog.CATEGORIES`), standardised
    over the categories the family can see (NaN for the others).
    """

    order: list[int]               # the categories the family can see, its strongest taste first
    true: np.ndarray               # the hidden taste (true_affinity)
    before: np.ndarray             # the model's taste at the starting point
    after: np.ndarray              # ... after the last step
    favourites: tuple[str, ...]    # the family's favourite categories (slugs)
    top_before: list[str]          # the model's N_TOP_CATEGORIES highest categories, before
    top_after: list[str]           # ... and after
    hits_before: int               # favourites among top_before
    hits_after: int                # favourites among top_after


def taste_reveal(engine: Engine, setup: Setup, records: list[StepRecord]) -> TasteReveal | None:
    """Compare the model's category taste before and after the steps with the hidden one.

    Arguments:
        setup: the family adapted to; None is returned unless it is simulated (``setup.family``).
        records: one starting point's records from :func:`adaptation_steps` (first and last used).

    Example:
        >>> records = list(adaptation_steps(engine, "maml", setup.support, setup.candidates))
        >>> reveal = taste_reveal(engine, setup, records)
        >>> reveal.hits_before, reveal.hits_after   # favourites among the model's top 3
        (1, 2)
    """
    family = setup.family
    if family is None:
        return None
    true = true_affinity(family, engine.catalog)
    before, after = records[0].affinity, records[-1].affinity
    order = [int(c) for c in np.argsort(-np.nan_to_num(true, nan=-99)) if not np.isnan(true[c])]
    def top(x):
        return [CATEGORIES[c] for c in np.argsort(-np.nan_to_num(x, nan=-99))[:N_TOP_CATEGORIES]]
    favs = tuple(family.favourites)
    top_before, top_after = top(before), top(after)
    return TasteReveal(order, true, before, after, favs, top_before, top_after,
                       len(set(favs) & set(top_before)), len(set(favs) & set(top_after)))


def _standardise(x: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(x)
    if ok.sum() < 2:
        return x
    return np.where(ok, (x - np.nanmean(x)) / (np.nanstd(x) + 1e-9), np.nan)
