"""The simulated families the app shows: chosen by one rule, fixed on the validation families.

The rule (:mod:`metarec.teaching.precompute`): the test families whose *gain* (the served learner's
nDCG@10 minus popularity's, on a 3-shot episode) lies between the validation families' quartiles,
closest to the validation median first. Page after page, "A family to try" / "Another family"
walks this list, so every page shows the same typical family first and none is picked because it
makes a learner look good. A family's liked and disliked toys are the nested protocol's supports
(:func:`metarec.evaluation.shots_curve.nested_episodes`), so what a page shows for one family is a
row of the shipped shots curve.

Example:
    >>> demo = demo_family(engine, 0, shots=3)     # the default family of every page
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.checkpoint import CheckpointError
from ..core.episodes import Episode
from ..evaluation.shots_curve import nested_episodes
from ..serving.engine import Engine
from ..world import Family


@dataclass(frozen=True)
class DemoFamily:
    family: Family               # the simulated family (its hidden taste included)
    age_years: float
    liked: tuple[str, ...]       # toy ids a parent would tick
    disliked: tuple[str, ...]
    episode: Episode             # the nested episode: support, query, relevant toys
    gain: float | None           # the served learner's nDCG@10 minus popularity's (3 shots)
    position: int                # its place in the demo list (0: the default family)


def demo_list(engine: Engine) -> list[dict]:
    """``[{"id", "gain"}]`` in the rule's order; empty when the shipped views are missing."""
    try:
        return list(engine.curves["demo"]["families"])
    except (CheckpointError, KeyError, TypeError):
        return []


def demo_family(engine: Engine, index: int, shots: int = 3) -> DemoFamily:
    """The ``index``-th demo family (wrapping around), telling ``shots`` of its liked toys and
    ``shots // 2`` disliked ones. Without the shipped list, a seeded test family instead."""
    pool = demo_list(engine)
    test = engine.world.families("test")
    if pool:
        entry = pool[index % len(pool)]
        family, gain, position = engine.world.family(int(entry["id"])), entry["gain"], index % len(pool)
    else:
        rng = np.random.default_rng(index)
        family, gain, position = test[int(rng.integers(len(test)))], None, index
    episode = nested_episodes(family, (shots,))[0]
    ids = engine.catalog.ids
    months = family.age_months
    age_years = round(months / 12, 1) if months >= 24 else round(months / 12, 2)
    return DemoFamily(family, age_years, tuple(ids[int(i)] for i in episode.support.liked),
                      tuple(ids[int(i)] for i in episode.support.disliked), episode, gain, position)


def random_family(engine: Engine, seed: int, shots: int = 3, n_disliked: int = 1) -> DemoFamily:
    """A seeded random test family (never seen in training) with ``shots`` of its liked toys:
    for tests and load tests that need many different families; pages use :func:`demo_family`."""
    test = engine.world.families("test")
    rng = np.random.default_rng(seed)
    family = test[int(rng.integers(len(test)))]
    liked = rng.choice(family.liked, size=min(shots, len(family.liked)), replace=False)
    disliked = rng.choice(family.disliked, size=min(n_disliked, len(family.disliked)), replace=False)
    months = family.age_months
    age_years = round(months / 12, 1) if months >= 24 else round(months / 12, 2)
    ids = engine.catalog.ids
    return DemoFamily(family, age_years, tuple(ids[i] for i in liked), tuple(ids[i] for i in disliked),
                      None, None, seed)
