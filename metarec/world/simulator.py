"""Simulated families: the generative model behind the embedded default world.

This is a simulation, not data about real children. Each family has one child and the model is:

1. **World.** Every toy ``t`` gets a latent popularity ``rho_t ~ N(0, 1)`` (drawn once per world seed).
2. **Child.** Age ``a`` in months ~ Uniform{0, ..., 168}. Hidden taste over the 14 categories
   ``theta_c ~ N(0, taste_scale^2)``, plus ``favourite_boost`` on ``n_favourites`` categories chosen
   at random among those with at least 3 toys suitable at age ``a``; hidden taste over the 9 skills
   ``phi_s ~ N(0, skill_scale^2)``.
3. **Utility** of every toy the child may be shown (safe and in its age range, see
   :mod:`metarec.core.safety`)::

       u_t = theta_{category(t)} + phi . skills(t) / sqrt(|skills(t)|)
             + agefit_scale * centrality(a, t) + pop_scale * rho_t + eps_t,   eps_t ~ N(0, noise^2)

   where ``centrality`` is 1 at the middle of the toy's age range and 0 at its ends.
4. **Likes and dislikes.** The toys in the top ``like_fraction`` of ``u`` are *liked*; the bottom
   ``dislike_fraction`` are *disliked*; the rest are neutral. Toys outside the age range are never
   shown to the child, so they are neither.

Families are split by index into disjoint train / validation / test sets; everything is drawn from
``numpy.random.default_rng`` seeded by ``WorldConfig.seed`` and the family's index, so a family is
the same whichever split or order it is asked for in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..core.catalog import CATEGORIES, MAX_AGE_MONTHS, SKILLS, Catalog

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 2026
    n_train: int = 3000        # families seen in (meta-)training
    n_val: int = 300           # families for early stopping and choosing settings
    n_test: int = 500          # families reported on, never used to choose anything
    taste_scale: float = 0.6   # spread of the category taste
    n_favourites: int = 2      # categories a child clearly loves
    favourite_boost: float = 1.5
    skill_scale: float = 0.6   # spread of the skill taste
    agefit_scale: float = 0.6  # weight of "right in the middle of the age range"
    pop_scale: float = 0.6     # weight of the toy's popularity
    noise: float = 0.5         # idiosyncratic noise per (child, toy)
    like_fraction: float = 0.25
    dislike_fraction: float = 0.25


@dataclass(frozen=True)
class Family:
    """One simulated family: a child, the hidden taste, and the toys it likes and dislikes."""

    id: int
    split: str
    age_months: int
    category_taste: np.ndarray     # [n_categories]
    skill_taste: np.ndarray        # [n_skills]
    favourites: tuple[str, ...]    # favourite category slugs
    eligible: np.ndarray           # toy indices the child may be shown
    utility: np.ndarray            # [len(eligible)] noisy utility of those toys
    liked: np.ndarray = field(repr=False)     # toy indices, best first
    disliked: np.ndarray = field(repr=False)  # toy indices, worst first


class ToyWorld:
    """All simulated families of one seed over one catalog."""

    def __init__(self, catalog: Catalog, config: WorldConfig | None = None):
        self.catalog = catalog
        self.config = config or WorldConfig()
        f = catalog.frame
        self._category = f["category"].map(CATEGORIES.index).to_numpy()
        skills = np.array([[s in row.split(";") for s in SKILLS] for row in f["skills"]], float)
        self._skills = skills / np.sqrt(np.maximum(skills.sum(1, keepdims=True), 1))
        self._min = f["min_age_months"].to_numpy(float)
        self._max = f["max_age_months"].to_numpy(float)
        self.popularity = np.random.default_rng([self.config.seed, 0]).normal(size=len(catalog))

    @cached_property
    def _offsets(self) -> dict[str, int]:
        c = self.config
        return {"train": 0, "val": c.n_train, "test": c.n_train + c.n_val}

    def size(self, split: str) -> int:
        return {"train": self.config.n_train, "val": self.config.n_val, "test": self.config.n_test}[split]

    def families(self, split: str) -> list[Family]:
        """Every family of a split (cached)."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")
        return self._families[split]

    @cached_property
    def _families(self) -> dict[str, list[Family]]:
        return {s: [self.family(self._offsets[s] + i) for i in range(self.size(s))] for s in SPLITS}

    def _noiseless(self, age: float, cat_taste: np.ndarray, skill_taste: np.ndarray,
                   toys: np.ndarray) -> np.ndarray:
        """The utility of ``toys`` without the per-(child, toy) noise (step 3 of the model)."""
        c = self.config
        span = np.maximum(self._max[toys] - self._min[toys], 1.0)
        centrality = 1.0 - np.abs(2.0 * (age - self._min[toys]) / span - 1.0)
        return (cat_taste[self._category[toys]] + self._skills[toys] @ skill_taste
                + c.agefit_scale * centrality + c.pop_scale * self.popularity[toys])

    def noiseless_utility(self, family: Family) -> np.ndarray:
        """``[n_toys]``: every catalog toy's utility for ``family``'s child, without the noise.

        Hidden from every learner: only the oracle reference (:mod:`metarec.world.oracle`) and
        the teaching pages' "hidden taste" panels read it.
        """
        return self._noiseless(float(family.age_months), family.category_taste, family.skill_taste,
                               np.arange(len(self.catalog)))

    def family(self, family_id: int, age_months: int | None = None) -> Family:
        """Family number ``family_id`` (its split follows from the id); ``age_months`` overrides the age."""
        c = self.config
        split = next(s for s in reversed(SPLITS) if family_id >= self._offsets[s])
        rng = np.random.default_rng([c.seed, 1, family_id])
        age = int(rng.integers(0, MAX_AGE_MONTHS + 1)) if age_months is None else int(age_months)
        eligible = self.catalog.eligible(age)
        cat_taste = rng.normal(0.0, c.taste_scale, len(CATEGORIES))
        present, counts = np.unique(self._category[eligible], return_counts=True)
        pool = present[counts >= 3]
        fav = rng.choice(pool, size=min(c.n_favourites, len(pool)), replace=False)
        cat_taste[fav] += c.favourite_boost
        skill_taste = rng.normal(0.0, c.skill_scale, len(SKILLS))
        utility = (self._noiseless(age, cat_taste, skill_taste, eligible)
                   + rng.normal(0.0, c.noise, len(eligible)))
        order = np.argsort(-utility, kind="stable")
        n_like = max(1, int(round(c.like_fraction * len(eligible))))
        n_dislike = max(1, int(round(c.dislike_fraction * len(eligible))))
        return Family(id=family_id, split=split, age_months=age, category_taste=cat_taste,
                      skill_taste=skill_taste, favourites=tuple(CATEGORIES[i] for i in fav),
                      eligible=eligible, utility=utility, liked=eligible[order[:n_like]],
                      disliked=eligible[order[::-1][:n_dislike]])
