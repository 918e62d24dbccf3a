"""The oracle: ranks by a simulated family's hidden noiseless utility (a ceiling, not a method).

The simulator draws ``u_t = taste + skills + age fit + popularity + noise``; the oracle scores
``u_t - noise`` for the family behind the support set, so it shows how much room the learners
leave. Only the simulator can compute it: it reads the family's hidden taste through
``Support.family_id``, which only simulated episodes carry (a real family has none, and the
oracle refuses it). It follows the learner interface so every table can hold its row, but it is
never offered to parents.

Example:
    >>> oracle = Oracle(world)
    >>> scores = oracle.score(oracle.adapt(episode.support), candidates)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..core.episodes import Support
from .simulator import ToyWorld


@dataclass(frozen=True)
class OracleState:
    family_id: int
    utility: torch.Tensor   # [n_toys] noiseless utility of every toy for this child


class Oracle:
    """Ranks by :meth:`ToyWorld.noiseless_utility` of the support's family."""

    name, paper = "oracle", "reference: the simulator's hidden noiseless utility"

    def __init__(self, world: ToyWorld):
        self.world = world

    def adapt(self, support: Support) -> OracleState:
        if support.family_id is None:
            raise ValueError("the oracle needs a simulated family (Support.family_id is None)")
        family = self.world.family(int(support.family_id))
        return OracleState(family.id, torch.from_numpy(self.world.noiseless_utility(family)).float())

    def score(self, state: OracleState, toys: torch.Tensor) -> torch.Tensor:
        return state.utility[toys.cpu()]
