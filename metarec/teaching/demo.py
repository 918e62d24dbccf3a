"""Ready-made families for demos: a simulated test family as the app would receive it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..serving.engine import Engine
from ..world import Family


@dataclass(frozen=True)
class DemoFamily:
    family: Family               # the simulated family (its hidden taste included)
    age_years: float
    liked: tuple[str, ...]       # toy ids a parent would tick
    disliked: tuple[str, ...]


def random_family(engine: Engine, seed: int, shots: int = 3, n_disliked: int = 1) -> DemoFamily:
    """A test family (never seen in training) with ``shots`` of its liked toys, seeded."""
    world = engine.world
    rng = np.random.default_rng(seed)
    test = world.families("test")
    family = test[int(rng.integers(len(test)))]
    ids = engine.catalog.ids
    liked = rng.choice(family.liked, size=min(shots, len(family.liked)), replace=False)
    disliked = rng.choice(family.disliked, size=min(n_disliked, len(family.disliked)), replace=False)
    age_years = round(family.age_months / 12, 1) if family.age_months >= 24 else round(family.age_months / 12, 2)
    return DemoFamily(family, age_years, tuple(ids[i] for i in liked), tuple(ids[i] for i in disliked))
