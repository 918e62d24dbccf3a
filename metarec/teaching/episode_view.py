"""What the "how meta-learning works" page shows, computed: one episode taken apart, the numbers of
the two loops, the live mini meta-training's curves, and every learner on the same family.

An episode (Vinyals et al., 2016; Finn et al., 2017) is one family as a task: a support set the
learner adapts on (its liked, disliked and never-mentioned toys) and a query set it is scored on
(its other liked toys among everything that suits the child).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..core.episodes import IMPLICIT, LIKED, N_QUERY_NEG, N_QUERY_POS, Episode
from ..serving.engine import Engine
from ..serving.recommend import Request, Result, recommend
from ..world import Family
from .demo import demo_family

SHOTS = 3                  # liked toys in the page's episode
# Learners side by side (after the learner parents get, :func:`learner_order`): the
# meta-learners, the classical reference and the baselines; any other learner follows.
SIDE_ORDER = ("tastenp", "maml", "protonet", "matching", "relation", "reptile", "metasgd", "fomaml",
              "melu", "bayes", "finetune", "knn", "popularity")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveBudget:
    """The outer steps a visitor may give the live mini meta-training (about 0.1 s each on 2 CPU
    cores: at most ~30 s) and how often it validates."""

    options: tuple[int, ...] = (50, 100, 150, 200)
    default: int = 100
    evals: int = 5         # validations per run, the last outer step included

    def eval_every(self, iters: int) -> int:
        """Outer steps between two validations for a run of ``iters`` steps."""
        return max(1, int(iters) // self.evals)


LIVE_BUDGET = LiveBudget()   # tests patch a tiny one, e.g. LiveBudget((10, 20), 10)


@dataclass(frozen=True)
class EpisodeView:
    """One episode split the way the page draws it (catalog row indices)."""

    family: Family
    episode: Episode
    liked: np.ndarray        # support: toys the family said it likes
    disliked: np.ndarray     # support: toys it said it does not
    implicit: np.ndarray     # support: toys it never mentioned (weak negatives)
    implicit_liked: np.ndarray  # ... of which the family secretly likes these (shown as such)
    hidden: np.ndarray       # query: its other liked toys among the candidates, none of them
                             # in the support (a toy is never listed on both sides)
    n_candidates: int        # toys ranked on the query side
    n_query_pos: int         # labelled query toys for the training loss: liked ...
    n_query_neg: int         # ... and not liked


def episode_view(engine: Engine, index: int, shots: int = SHOTS) -> EpisodeView:
    """A ``shots``-shot episode of the ``index``-th demo family, taken apart.

    Implicit negatives are toys the family never mentioned, counted as "not liked"; some of them
    it secretly likes. They are listed once, on the support side, with those marked, and are left
    out of the hidden liked toys shown on the query side.

    Example:
        >>> view = episode_view(engine, 0)
        >>> len(view.liked), view.n_candidates > len(view.hidden)
        (3, True)
    """
    demo = demo_family(engine, index, shots)
    family, nested = demo.family, demo.episode
    # a training-style episode of the same family and supports: 10 liked + 20 other query toys
    episode = Episode(nested.family_id, shots, nested.support, nested.candidates, nested.relevant,
                      *_query_sample(nested, np.random.default_rng([index, int(family.id)])))
    kinds, items = episode.support.kind.numpy(), episode.support.items.numpy()
    implicit = items[kinds == IMPLICIT]
    secretly = np.intersect1d(implicit, family.liked)
    return EpisodeView(family, episode, items[kinds == LIKED],
                       items[(kinds != LIKED) & (kinds != IMPLICIT)], implicit, secretly,
                       np.setdiff1d(episode.relevant, implicit), len(episode.candidates),
                       int(episode.query_labels.sum()), int((episode.query_labels == 0).sum()))


def _query_sample(episode: Episode, rng) -> tuple[np.ndarray, np.ndarray]:
    """The labelled query a training step would use: up to 10 liked and 20 other candidates."""
    others = np.setdiff1d(episode.candidates, episode.relevant)
    pos = rng.choice(episode.relevant, size=min(N_QUERY_POS, len(episode.relevant)), replace=False)
    neg = rng.choice(others, size=min(N_QUERY_NEG, len(others)), replace=False)
    return (np.concatenate([pos, neg]),
            np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]).astype(np.float32))


def loop_numbers(engine: Engine) -> dict:
    """The shipped model's training settings for the two-loop diagram: inner ``steps`` and
    ``lr``, ``batch`` (families per outer step), ``outer_lr``, ``iters`` and training
    ``families``; ``"?"`` for what the manifest does not record."""
    cfg = (engine.manifest or {}).get("config") or {}
    maml = engine.learners.get("maml")
    return {"steps": cfg.get("inner_steps", getattr(maml, "steps", "?")),
            "lr": cfg.get("inner_lr", getattr(maml, "lr", "?")),
            "batch": cfg.get("meta_batch", "?"), "outer_lr": cfg.get("outer_lr", "?"),
            "iters": cfg.get("max_iters", "?"),
            "families": (cfg.get("world") or {}).get("n_train", "?")}


def shipped_validation(engine: Engine) -> float | None:
    """The shipped MAML's validation nDCG@10 at 5 shots (a line on the live chart), if recorded."""
    val = ((engine.manifest or {}).get("metrics") or {}).get("validation_ndcg@10_5shots") or {}
    value = val.get("maml") if isinstance(val, dict) else None
    return float(value) if value is not None else None


@dataclass
class LiveCurve:
    """The live mini meta-training's curves as they arrive (``add`` is its ``on_progress``).

    Iteration 0 reports the starting point's validation only; every outer step after it reports
    its training loss, and every ``eval_every``-th its validation nDCG@10 too.
    """

    iters: int
    run: int = 0                      # the page's run counter (chart keys)
    shipped: float | None = None      # shipped_validation(engine), drawn as a reference line
    its: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    val_its: list = field(default_factory=list)
    val: list = field(default_factory=list)
    seconds: float | None = None

    def add(self, it: int, loss: float | None, val: float | None) -> None:
        """Record one report of :func:`metarec.training.live.mini_meta_train`."""
        if loss is not None:
            self.its.append(it)
            self.loss.append(loss)
        if val is not None:
            self.val_its.append(it)
            self.val.append(val)

    @property
    def start(self) -> float:
        """Validation nDCG@10 of the random starting point (NaN before any validation)."""
        return self.val[0] if self.val else float("nan")

    @property
    def end(self) -> float:
        """Validation nDCG@10 after the last outer step (NaN before any validation)."""
        return self.val[-1] if self.val else float("nan")

    @property
    def best(self) -> float:
        """The best validation nDCG@10 of the run (0 before any validation)."""
        return max(self.val, default=0.0)


def learner_order(engine: Engine) -> list[str]:
    """The learner parents get (``engine.default_method``) first, then the checkpoint's other
    learners in :data:`SIDE_ORDER`, any others after them."""
    names = list(dict.fromkeys([engine.default_method, *SIDE_ORDER]))
    names = [m for m in names if m in engine.learners]
    return names + [m for m in engine.learners if m not in names]


@dataclass(frozen=True)
class SideBySide:
    """One learner's list for the family, and which of its toys the family secretly likes."""

    result: Result
    liked: list[bool]         # per recommendation: in the family's hidden liked toys

    @property
    def hits(self) -> int:
        return sum(self.liked)


def side_by_side(engine: Engine, view: EpisodeView, top: int = 5,
                 lang: str = "en") -> dict[str, SideBySide | None]:
    """Every learner's top ``top`` for the episode's liked toys, as a parent would ask for them.

    A learner that fails is logged and gets None, so one broken learner hides no other.

    Returns:
        ``{learner name: SideBySide or None}`` in :func:`learner_order`.
    """
    ids = engine.catalog.ids
    request = dict(age_years=view.family.age_months / 12, top=top, lang=lang,
                   liked=tuple(ids[int(i)] for i in view.liked))
    secret = {int(i) for i in view.family.liked}
    out: dict[str, SideBySide | None] = {}
    for name in learner_order(engine):
        try:
            result = recommend(engine, Request(method=name, **request))
        except Exception:
            log.exception("recommending with %s failed", name)
            out[name] = None
            continue
        out[name] = SideBySide(result, [engine.catalog.index[r.id] in secret
                                        for r in result.recommendations])
    return out
